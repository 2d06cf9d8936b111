package watchwords_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"stoa/account"
	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/watchwords"
	"stoa/web"
)

func open(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newList(t *testing.T) (*watchwords.List, *[]string, string) {
	t.Helper()
	path := storagetest.Target(t, storagetest.Engine()) // reopened below
	db := open(t, path)
	t.Cleanup(func() { db.Close() })
	// The admin who makes the changes.
	if _, err := account.AddUser(context.Background(), account.NewStore(db), "root", "password-root", account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	l, err := watchwords.New(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	return l, &recorded, path
}

func recorder(into *[]string) watchwords.Recorder {
	return func(_ *storage.Tx, a watchwords.Actor, summary string) error {
		*into = append(*into, a.Name+": "+summary)
		return nil
	}
}

var root = watchwords.Actor{ID: 1, Name: "root"}

func add(t *testing.T, l *watchwords.List, rec *[]string, in watchwords.Input) {
	t.Helper()
	if err := l.Add(context.Background(), root, in, recorder(rec)); err != nil {
		t.Fatalf("add %q: %v", in.Pattern, err)
	}
}

// A plain word matches whole words in any letter case, in any script, and nothing
// inside a longer word.
func TestWordsMatchWholeWordsInAnyCase(t *testing.T) {
	l, rec, _ := newList(t)
	add(t, l, rec, watchwords.Input{Pattern: "Spam", Action: watchwords.Block})
	add(t, l, rec, watchwords.Input{Pattern: "café", Action: watchwords.Hold})
	for text, blocked := range map[string]bool{
		"spam": true, "SPAM!": true, "buy spam, now": true, "(Spam)": true,
		"spammer": false, "antispam": false, "spam_bot": false, "": false, "s p a m": false,
	} {
		if got := l.Check(text).Blocked != nil; got != blocked {
			t.Errorf("Check(%q) blocked = %v, want %v", text, got, blocked)
		}
	}
	if l.Check("un CAFÉ noir").Held == nil || l.Check("cafés").Held != nil {
		t.Error("a non-ASCII word is not matched as a whole word")
	}
	if h := l.Check("so much SPAM").Blocked; h == nil || h.Word != "Spam" {
		t.Errorf("the author is told %+v, want the listed word", h)
	}
}

// A regular expression matches in any letter case and the author is told what matched;
// replacements are applied everywhere before blocks and holds are looked for.
func TestExpressionsAndReplacements(t *testing.T) {
	l, rec, _ := newList(t)
	add(t, l, rec, watchwords.Input{Pattern: `free\s+money`, Regex: true, Action: watchwords.Hold})
	add(t, l, rec, watchwords.Input{Pattern: "darn", Action: watchwords.Replace, Replacement: "d***"})
	add(t, l, rec, watchwords.Input{Pattern: "heck", Action: watchwords.Replace})
	r := l.Check("Darn it, FREE   Money! darn. Heck")
	if r.Text != "d*** it, FREE   Money! d***. ***" {
		t.Errorf("replaced text %q", r.Text)
	}
	if r.Held == nil || r.Held.Word != "FREE   Money" || r.Blocked != nil {
		t.Errorf("held %+v blocked %+v", r.Held, r.Blocked)
	}
	if r := l.Check("nothing to see"); r.Text != "nothing to see" || r.Held != nil || r.Blocked != nil {
		t.Errorf("clean text gave %+v", r)
	}
}

// Entries are checked on save with a message for the field at fault.
func TestBadEntriesAreRefusedWithAReason(t *testing.T) {
	l, rec, _ := newList(t)
	for _, c := range []struct {
		in    watchwords.Input
		field string
		says  string
	}{
		{watchwords.Input{Pattern: "  ", Action: watchwords.Block}, "pattern", "Write the word"},
		{watchwords.Input{Pattern: "(a", Regex: true, Action: watchwords.Block}, "pattern", "not a regular expression"},
		{watchwords.Input{Pattern: "x?", Regex: true, Action: watchwords.Block}, "pattern", "matches empty text"},
		{watchwords.Input{Pattern: strings.Repeat("a", 201), Regex: true, Action: watchwords.Block}, "pattern", "200 characters"},
		{watchwords.Input{Pattern: strings.Repeat("é", 101), Action: watchwords.Block}, "pattern", "100 characters"},
		{watchwords.Input{Pattern: "two\nlines", Action: watchwords.Block}, "pattern", "one line"},
		{watchwords.Input{Pattern: "ok", Action: "erase"}, "action", "Choose block"},
		{watchwords.Input{Pattern: "ok", Action: watchwords.Replace, Replacement: strings.Repeat("r", 101)}, "replacement", "100 characters"},
	} {
		err := l.Add(context.Background(), root, c.in, recorder(rec))
		e := web.AsError(err)
		if e == nil || !strings.Contains(e.Fields[c.field], c.says) {
			t.Errorf("Add(%q, %s) = %v, want %q on %s", c.in.Pattern, c.in.Action, err, c.says, c.field)
		}
	}
	if len(*rec) != 0 {
		t.Errorf("refused entries were recorded: %q", *rec)
	}
	entries, _ := l.Entries(context.Background())
	if len(entries) != 0 {
		t.Errorf("refused entries were stored: %v", entries)
	}
}

// Adding and removing are recorded, take effect on the next check without a restart,
// and the list survives one.
func TestChangesApplyAtOnceAndAreKept(t *testing.T) {
	l, rec, path := newList(t)
	add(t, l, rec, watchwords.Input{Pattern: "foo", Action: watchwords.Block})
	if l.Check("foo").Blocked == nil {
		t.Fatal("a word added is not checked")
	}
	add(t, l, rec, watchwords.Input{Pattern: "bar", Action: watchwords.Hold})
	entries, err := l.Entries(context.Background())
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries %v, %v", entries, err)
	}
	if err := l.Remove(context.Background(), root, entries[0].ID, recorder(rec)); err != nil {
		t.Fatal(err)
	}
	if l.Check("foo").Blocked != nil {
		t.Error("a word removed is still checked")
	}
	if err := l.Remove(context.Background(), root, entries[0].ID, recorder(rec)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("removing it twice: %v", err)
	}
	want := []string{"root: Watched word “foo” added: block", "root: Watched word “bar” added: hold for review",
		"root: Watched word “foo” removed (it did: block)"}
	if strings.Join(*rec, "\n") != strings.Join(want, "\n") {
		t.Errorf("recorded %q", *rec)
	}
	db := open(t, path)
	defer db.Close()
	again, err := watchwords.New(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Check("bar").Held == nil || again.Check("foo").Blocked != nil {
		t.Error("the list did not survive a restart")
	}
}

// A change whose audit entry fails is not made, and the list in memory stays as it was.
func TestAFailedRecordChangesNothing(t *testing.T) {
	l, _, _ := newList(t)
	fail := func(*storage.Tx, watchwords.Actor, string) error { return errors.New("audit log unavailable") }
	if err := l.Add(context.Background(), root, watchwords.Input{Pattern: "foo", Action: watchwords.Block}, fail); err == nil {
		t.Fatal("the add succeeded without its audit entry")
	}
	if l.Check("foo").Blocked != nil {
		t.Error("the unrecorded word is checked")
	}
}

// The same text again, in another case or spacing, repeats it; a changed word does not.
func TestRepeatsIgnoresCaseAndSpacingOnly(t *testing.T) {
	earlier := []string{"Buy cheap  watches\nnow", "hello"}
	for text, want := range map[string]bool{
		"buy cheap watches now":     true,
		"  BUY CHEAP\tWATCHES NOW ": true,
		"buy cheap watches today":   false,
		"hello there":               false,
		"":                          false,
	} {
		if got := watchwords.Repeats(text, earlier); got != want {
			t.Errorf("Repeats(%q) = %v, want %v", text, got, want)
		}
	}
	if watchwords.Repeats("hello", nil) {
		t.Error("a text with nothing earlier repeats")
	}
}
