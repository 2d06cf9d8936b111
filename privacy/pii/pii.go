// Package pii finds personal information in Markdown source text (email
// addresses, phone numbers, payment card numbers, IBANs and US social
// security numbers) so that a submission can be held until its author
// confirms they mean to publish it.
//
// The detector would rather miss an unusual format than cry wolf: an alarm
// on every post that mentions a date, a version or a price would teach
// members to click "publish anyway" without reading it. For the same reason
// the number-based checks (phone, card, IBAN, SSN) skip Markdown code,
// fenced blocks and inline spans, where long numbers are nearly always
// identifiers, hashes or sample data. Email addresses are reported
// everywhere, code included: their shape is unambiguous, and pasting an
// address into a code block does not make it any less public.
//
// Known gaps, chosen to keep false alarms down: digits written with no
// separator count as a phone number only after a word such as "phone" or
// "call me" (or with a leading '+'); a space-separated phone number directly
// followed or preceded by another number ("room 12 020 7946 0958") is
// missed; obfuscated addresses ("alice at example dot com") are not
// recognised; and code that looks like an address ("this@Foo.bar" in
// Kotlin) is reported, since emails are checked inside code too.
package pii

import (
	"slices"
	"strings"
)

// Kind names a type of personal information with the label shown to members
// and sent in the chat protocol.
type Kind string

// The kinds Detect reports; the strings are part of the chat protocol, so
// only ever add to them.
const (
	// Email is an email address such as alice@example.com.
	Email Kind = "email address"
	// Phone is a phone number in an international or common national format.
	Phone Kind = "phone number"
	// PaymentCard is a Luhn-valid card number with a known issuer prefix.
	PaymentCard Kind = "payment card number"
	// IBAN is an international bank account number with a valid mod-97 check.
	IBAN Kind = "IBAN"
	// SSN is a US social security number written as ddd-dd-dddd.
	SSN Kind = "US social security number"
)

// Finding is one piece of personal information found in a text, located by
// byte offsets so that the composer can highlight it.
type Finding struct {
	Kind       Kind
	Start, End int
}

// Detect returns the personal information found in text, ordered by Start
// and without overlaps; it returns nil when there is none.
func Detect(text string) []Finding {
	// Every kind needs a digit, except email addresses, which need an '@';
	// checking for both first keeps ordinary prose almost free.
	digit := indexDigit(text, 0)
	at := strings.IndexByte(text, '@')
	if digit < 0 && at < 0 {
		return nil
	}
	var d detector
	d.text = text
	if digit >= 0 {
		d.scanNumbers(digit)
	}
	d.numbers = len(d.out)
	if at >= 0 {
		d.scanEmails(at)
	}
	return d.result()
}

// Kinds returns the distinct kinds in fs as strings, in first-seen order, for
// messages such as confirm_required findings:["email address"].
func Kinds(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, string(f.Kind)) {
			out = append(out, string(f.Kind))
		}
	}
	return out
}

// detector holds the state of one Detect call; it lives on the caller's
// stack so that a scan allocates only for what it finds.
type detector struct {
	text    string
	out     []Finding
	numbers int // out[:numbers] came from the number scan, the rest are emails
	c       candidate
}

func (d *detector) add(k Kind, start, end int) {
	d.out = append(d.out, Finding{Kind: k, Start: start, End: end})
}

// result merges the two scans, which each produce findings in order. A
// number inside an email address is part of the address, so the address wins.
func (d *detector) result() []Finding {
	if d.numbers == 0 || d.numbers == len(d.out) {
		return d.out
	}
	mails := d.out[d.numbers:]
	n := 0
	for _, f := range d.out[:d.numbers] {
		if !overlapsAny(f, mails) {
			d.out[n] = f
			n++
		}
	}
	n += copy(d.out[n:], mails)
	d.out = d.out[:n]
	slices.SortStableFunc(d.out, func(a, b Finding) int { return a.Start - b.Start })
	return d.out
}

func overlapsAny(f Finding, fs []Finding) bool {
	for _, g := range fs {
		if f.Start < g.End && g.Start < f.End {
			return true
		}
	}
	return false
}
