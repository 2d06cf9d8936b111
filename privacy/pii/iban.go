package pii

// iban checks for an IBAN starting at offset s, where two letters are
// followed by the two check digits, and returns its end. It accepts the
// compact form and the printed form in groups of four separated by single
// spaces; the country's length and the mod-97 check must both hold. Prose
// that happens to fit ("FR12 is the best...") is ruled out by requiring at
// least half of the account part (BBAN) to be digits, which every real
// IBAN meets.
func (d *detector) iban(s, lim int) (end int, ok bool) {
	t := d.text
	if (t[s] < 'a') != (t[s+1] < 'a') || !startOK(t, s) || s+3 >= lim || !isDigit(t[s+3]) {
		return 0, false
	}
	n := ibanLength(upper(t[s]), upper(t[s+1]))
	if n == 0 {
		return 0, false
	}
	var buf [34]byte
	k, i := 0, s
	for i < lim && k < n {
		c := t[i]
		if isAlnum(c) {
			buf[k] = upper(c)
			k++
			i++
		} else if c == ' ' && k%4 == 0 && i+1 < lim && isAlnum(t[i+1]) {
			i++
		} else {
			break
		}
	}
	if k != n || !endOK(t, i) {
		return 0, false
	}
	if check := buf[2:4]; string(check) < "02" || string(check) > "98" {
		return 0, false
	}
	digits := 0
	for _, c := range buf[4:n] {
		if isDigit(c) {
			digits++
		}
	}
	if 2*digits < n-4 || mod97(buf[4:n], buf[:4]) != 1 {
		return 0, false
	}
	return i, true
}

// mod97 returns the ISO 7064 MOD 97-10 remainder of the BBAN followed by
// the country code and check digits, letters counting as 10 to 35.
func mod97(parts ...[]byte) int {
	r := 0
	for _, p := range parts {
		for _, c := range p {
			if isDigit(c) {
				r = (r*10 + int(c-'0')) % 97
			} else {
				r = (r*100 + int(c-'A') + 10) % 97
			}
		}
	}
	return r
}

// ibanLength returns the IBAN length of a country, or 0 for a country not
// in the table (from the SWIFT IBAN registry).
func ibanLength(a, b byte) int {
	switch string([]byte{a, b}) {
	case "NO":
		return 15
	case "BE":
		return 16
	case "DK", "FI", "FO", "GL", "NL":
		return 18
	case "MK", "SI":
		return 19
	case "AT", "BA", "EE", "KZ", "LT", "LU", "XK":
		return 20
	case "CH", "HR", "LI", "LV":
		return 21
	case "BG", "BH", "CR", "DE", "GB", "GE", "IE", "ME", "RS", "VA":
		return 22
	case "AE", "GI", "IL", "IQ", "TL":
		return 23
	case "AD", "CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG":
		return 24
	case "PT", "ST":
		return 25
	case "IS", "TR":
		return 26
	case "FR", "GR", "IT", "MC", "MR", "SM":
		return 27
	case "AL", "AZ", "BY", "CY", "DO", "GT", "HU", "LB", "PL", "SV":
		return 28
	case "BR", "EG", "PS", "QA", "UA":
		return 29
	case "JO", "KW", "MU":
		return 30
	case "MT", "SC":
		return 31
	case "LC":
		return 32
	}
	return 0
}
