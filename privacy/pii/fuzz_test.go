package pii

import (
	"testing"
	"unicode/utf8"
)

func FuzzDetect(f *testing.F) {
	for _, line := range fixtureLines(f, "ordinary.txt") {
		f.Add(line)
	}
	for _, id := range identifiers(f) {
		f.Add(id.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs := Detect(s)
		valid := utf8.ValidString(s)
		end := 0
		for _, x := range fs {
			if x.Start < end || x.Start >= x.End || x.End > len(s) {
				t.Fatalf("Detect(%q): bad or overlapping offsets %+v after %d", s, x, end)
			}
			end = x.End
			if valid && (!utf8.RuneStart(s[x.Start]) || x.End < len(s) && !utf8.RuneStart(s[x.End])) {
				t.Fatalf("Detect(%q): %+v splits a rune", s, x)
			}
			switch x.Kind {
			case Email, Phone, PaymentCard, IBAN, SSN:
			default:
				t.Fatalf("Detect(%q): unknown kind %q", s, x.Kind)
			}
		}
		if len(fs) > 0 && len(Kinds(fs)) == 0 {
			t.Fatalf("Kinds lost the findings of %q", s)
		}
	})
}
