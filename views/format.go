// How views format numbers, times and lists for people to read.

package views

import (
	"strconv"
	"strings"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// ago formats a time for lists: relative when recent, a date otherwise.
func ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 7*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	case t.Year() == time.Now().Year():
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// isoTime is a machine-readable time for <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fullTime is the exact time shown on hover.
func fullTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// joinAnd lists items as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func replyWord(n int) string {
	if n == 1 {
		return "reply"
	}
	return "replies"
}

// reservedFor says how long a deleted account's name stays reserved: "for 90 days".
func reservedFor(days int) string {
	if days == 1 {
		return "for 1 day"
	}
	return "for " + strconv.Itoa(days) + " days"
}
