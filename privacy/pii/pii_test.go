package pii

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestDetectSpans(t *testing.T) {
	tests := []struct {
		text string
		want []Finding
	}{
		{"", nil},
		{"no digits and no at sign here", nil},
		{"mail alice@example.com now", []Finding{{Email, 5, 22}}},
		{"(555) 123-4567", []Finding{{Phone, 0, 14}}},
		{"tel:+44 20 7946 0958.", []Finding{{Phone, 4, 20}}},
		{"x 4111 1111 1111 1111 12/27", []Finding{{PaymentCard, 2, 21}}},
		{"IBAN DE89 3704 0044 0532 0130 00, ref 12", []Finding{{IBAN, 5, 32}}},
		{"a@example.com 555-123-4567", []Finding{{Email, 0, 13}, {Phone, 14, 26}}},
		{"555-123-4567 a@example.com", []Finding{{Phone, 0, 12}, {Email, 13, 26}}},
		{"555-123-4567 555-987-6543", []Finding{{Phone, 0, 12}, {Phone, 13, 25}}},
		{"+1 555 123 4567 5 more", []Finding{{Phone, 0, 15}}},
		// A phone-shaped local part is part of the address.
		{"5551234567@sms.example.com", []Finding{{Email, 0, 26}}},
		{"SSN 123-45-6789.", []Finding{{SSN, 4, 15}}},
		// French apps group digits with no-break spaces.
		{"Tél\u00a0: 06\u00a012\u00a034\u00a056\u00a078", []Finding{{Phone, 8, 26}}},
	}
	for _, tt := range tests {
		if got := Detect(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Detect(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestNearMisses(t *testing.T) {
	for _, text := range []string{
		"4111 1111 1111 1112",         // fails Luhn
		"4111 1111 111 11111",         // not a card grouping
		"1111 1111 1111 1117",         // Luhn-valid but no issuer starts with 1
		"4111.1111.1111.1111",         // cards are not written with dots
		"DE88 3704 0044 0532 0130 00", // wrong check digits
		"DE89 3704 0044 0532 0130 0",  // too short for DE
		"DE89 3704 0044 0532 0130 001",
		"XX89 3704 0044 0532 0130 00", // no such country
		"000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000",
		"123 45 6789",  // SSNs are written with dashes
		"155-123-4567", // US area codes start with 2-9
		"555-123.4567", // mixed separators
		"5551234567",   // bare digits need a word like "phone" before them
		"@alice", "a@b", "a@b.c", "me@localhost", "x@2x.png", ".@example.com", "a..b@example.com",
		"https://user:secret@example.com/", "git@github.com:org/repo.git",
		"v555-123-4567", "#555-123-4567", "555-123-4567-89", "555-123-4567x",
		"€4111 1111 1111 1111",
		"+100 200 300", "+1 234 567 890", // +1 is followed by exactly ten digits
		"010.001.002.003",       // a zero-padded IPv4 address
		"@alice@example.social", // a fediverse handle
	} {
		if fs := Detect(text); len(fs) > 0 {
			t.Errorf("Detect(%q) = %s, want none", text, describe(text, fs))
		}
	}
}

func TestCodeIsSkippedExceptEmails(t *testing.T) {
	tests := []struct {
		text string
		want []Kind
	}{
		{"see `555-123-4567` there", nil},
		{"see ``a ` 555-123-4567`` there", nil},
		{"```\ncall 555-123-4567\n```\n", nil},
		{"~~~go\nx := 4111111111111111\n~~~\n", nil},
		{"   ```\n555-123-4567\n   ```", nil},
		{"```\nnever closed 555-123-4567", nil},
		{"```\nmail alice@example.com\n```", []Kind{Email}},
		{"`alice@example.com`", []Kind{Email}},
		{"```\ncode\n```\ncall 555-123-4567", []Kind{Phone}},
		{"an unmatched ` backtick, 555-123-4567", []Kind{Phone}},
		{"`a\n\n555-123-4567 b`", []Kind{Phone}}, // spans end at a paragraph break
		{"````\n```\n555-123-4567\n````\n", nil}, // a shorter fence does not close
		{"    ```\n555-123-4567\n    ```", nil},  // not fences, but the runs still pair up as a span
	}
	for _, tt := range tests {
		var got []Kind
		for _, f := range Detect(tt.text) {
			got = append(got, f.Kind)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Detect(%q) kinds = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestKinds(t *testing.T) {
	fs := Detect("a@example.com, 555-123-4567, b@example.com, 4111111111111111")
	want := []string{"email address", "phone number", "payment card number"}
	if got := Kinds(fs); !slices.Equal(got, want) {
		t.Errorf("Kinds = %q, want %q", got, want)
	}
	if got := Kinds(nil); got != nil {
		t.Errorf("Kinds(nil) = %q, want nil", got)
	}
}

func TestIndexDigitMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 64)
	for range 20000 {
		for i := range buf {
			buf[i] = byte(r.IntN(256))
			if buf[i]-'0' < 10 && r.IntN(4) > 0 {
				buf[i] = 'a' // keep digits sparse so that the word-at-a-time path runs
			}
		}
		s := string(buf[:r.IntN(len(buf))])
		from := r.IntN(len(s) + 1)
		want := strings.IndexAny(s[from:], "0123456789")
		if want >= 0 {
			want += from
		}
		if got := indexDigit(s, from); got != want {
			t.Fatalf("indexDigit(%q, %d) = %d, want %d", s, from, got, want)
		}
	}
}

// Many unmatched backtick runs of different lengths must not make the code
// scan quadratic, nor hide what lies between them.
func TestUnmatchedBackticks(t *testing.T) {
	var b strings.Builder
	n := 1
	for ; b.Len() < 64<<10; n++ {
		b.WriteString(strings.Repeat("`", n))
		b.WriteString(" 555-123-4567 ")
	}
	if got := len(Detect(b.String())); got != n-1 {
		t.Errorf("%d findings between %d unmatched backtick runs, want %d", got, n-1, n-1)
	}
}
