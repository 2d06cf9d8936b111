package pii

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// ordinaryMakers returns generators of random instances of the numbers that
// ordinary posts are full of; none of them may be reported.
func ordinaryMakers() []func(r *rand.Rand) string {
	return []func(r *rand.Rand) string{
		func(r *rand.Rand) string { // ISO date and time
			return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", 1990+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
		},
		func(r *rand.Rand) string { // European and US dates
			d, m, y := 1+r.IntN(28), 1+r.IntN(12), 1990+r.IntN(50)
			return fmt.Sprintf("%02d/%02d/%d, %02d.%02d.%d and %d.%d.%d", d, m, y, m, d, y, d, m, y)
		},
		func(r *rand.Rand) string { // versions
			return fmt.Sprintf("v%d.%d.%d, %d.%d.%d-rc.%d", r.IntN(30), r.IntN(100), r.IntN(1000), r.IntN(30), r.IntN(100), r.IntN(100), r.IntN(9))
		},
		func(r *rand.Rand) string { // prices
			n := r.IntN(1000000)
			return fmt.Sprintf("$%d,%03d.%02d or €%d.%03d,%02d", n/1000, n%1000, r.IntN(100), n/1000, n%1000, r.IntN(100))
		},
		func(r *rand.Rand) string { // IPv4 with a port
			return fmt.Sprintf("%d.%d.%d.%d:%d", 1+r.IntN(254), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(65536))
		},
		func(r *rand.Rand) string { // UUID
			return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Int64N(1<<48))
		},
		func(r *rand.Rand) string { // hex hash
			return fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32())
		},
		func(r *rand.Rand) string { // year range, ticket and order numbers
			y := 1950 + r.IntN(70)
			return fmt.Sprintf("%d-%d, #%d, ORD-%d-%06d", y, y+r.IntN(30), r.IntN(1e9), y, r.IntN(1e6))
		},
		func(r *rand.Rand) string { // ISBN-13
			return fmt.Sprintf("ISBN 978-%d-%02d-%06d-%d", r.IntN(10), r.IntN(100), r.IntN(1e6), r.IntN(10))
		},
		func(r *rand.Rand) string { // decimals and file sizes
			return fmt.Sprintf("%d.%d, %s bytes, %.1f GB", r.IntN(10), r.Int64N(1e15), thousands(r.Int64N(1e12)), r.Float64()*100)
		},
		func(r *rand.Rand) string { // long numbers that fail Luhn
			n := fmt.Sprintf("4%014d", r.Int64N(1e14))
			for d := range 10 {
				if s := n + string(rune('0'+d)); !luhnString(s) {
					return "ref " + s
				}
			}
			return ""
		},
	}
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func luhnString(s string) bool {
	sum := 0
	for i := range len(s) {
		v := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func TestGeneratedOrdinaryText(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	makers := ordinaryMakers()
	for range 3000 {
		var parts []string
		for range 1 + r.IntN(4) {
			parts = append(parts, makers[r.IntN(len(makers))](r))
		}
		text := strings.Join(parts, " ")
		if fs := Detect(text); len(fs) > 0 {
			t.Errorf("Detect(%q) = %s, want none", text, describe(text, fs))
		}
	}
}
