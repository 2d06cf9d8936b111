// Package watchwords is the admins' list of watched words: plain words or regular
// expressions that, found in a post, a thread title or a chat message, make Stoa refuse
// the text (block), send it to the moderators' queue (hold) or write something else in
// their place (replace). It sits beside privacy, below forum and chat, which take a
// *List from the server and call Check before they write; moderation stays above both.
package watchwords

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"stoa/bus"
	"stoa/storage"
	"stoa/web"
)

// Action is what a match does.
type Action string

// The actions an entry can take.
const (
	Block   Action = "block"
	Hold    Action = "hold"
	Replace Action = "replace"
)

// Label is the action in words, for the admin page.
func (a Action) Label() string {
	switch a {
	case Block:
		return "Block"
	case Hold:
		return "Hold for review"
	case Replace:
		return "Replace"
	}
	return string(a)
}

// Limits on an entry, so that one entry cannot make every check slow.
const (
	MaxWordRunes        = 100
	MaxRegexBytes       = 200
	MaxReplacementRunes = 100
	DefaultReplacement  = "***"
)

// Entry is one watched word or expression.
type Entry struct {
	ID          int64
	Pattern     string
	Regex       bool
	Action      Action
	Replacement string
	CreatedAt   time.Time
	CreatedBy   string
}

// Hit is the entry a text matched, as the author is told about it.
type Hit struct {
	// Word is what matched in the text when the entry is a regular expression, or the
	// watched word itself.
	Word   string
	Action Action
}

// Result is what the list made of a text.
type Result struct {
	// Text is the text with every replace entry applied.
	Text string
	// Blocked is the first block entry the text matched, or nil.
	Blocked *Hit
	// Held is the first hold entry the text matched, or nil.
	Held *Hit
}

// matcher is one compiled entry.
type matcher struct {
	entry Entry
	re    *regexp.Regexp
}

// find returns the byte ranges of every match of m in text. A plain word matches only
// where it is not part of a longer word, in any script.
func (m *matcher) find(text string) [][]int {
	all := m.re.FindAllStringIndex(text, -1)
	if m.entry.Regex {
		return all
	}
	out := all[:0]
	for _, loc := range all {
		before, _ := utf8.DecodeLastRuneInString(text[:loc[0]])
		after, _ := utf8.DecodeRuneInString(text[loc[1]:])
		if loc[0] > 0 && wordRune(before) || loc[1] < len(text) && wordRune(after) {
			continue
		}
		out = append(out, loc)
	}
	return out
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// compile turns an entry into its matcher; both kinds match regardless of case.
func compile(e Entry) (*matcher, error) {
	expr := "(?i)" + regexp.QuoteMeta(e.Pattern)
	if e.Regex {
		expr = "(?i)" + e.Pattern
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	return &matcher{entry: e, re: re}, nil
}

// check applies every matcher to text: replacements first, then blocks, then holds on
// the replaced text.
func check(ms []*matcher, text string) Result {
	res := Result{Text: text}
	for _, m := range ms {
		if m.entry.Action != Replace {
			continue
		}
		locs := m.find(res.Text)
		if len(locs) == 0 {
			continue
		}
		var b strings.Builder
		last := 0
		for _, loc := range locs {
			b.WriteString(res.Text[last:loc[0]])
			b.WriteString(m.entry.Replacement)
			last = loc[1]
		}
		b.WriteString(res.Text[last:])
		res.Text = b.String()
	}
	for _, m := range ms {
		if m.entry.Action == Replace || m.entry.Action == Block && res.Blocked != nil || m.entry.Action == Hold && res.Held != nil {
			continue
		}
		locs := m.find(res.Text)
		if len(locs) == 0 {
			continue
		}
		word := m.entry.Pattern
		if m.entry.Regex {
			word = res.Text[locs[0][0]:locs[0][1]]
		}
		h := &Hit{Word: word, Action: m.entry.Action}
		if m.entry.Action == Block {
			res.Blocked = h
		} else {
			res.Held = h
		}
	}
	return res
}

// Repeats reports whether text is one of earlier again: the same words in any letter
// case and spacing. Forum and chat use it to refuse the same text sent twice on purpose
// within the site's duplicate window.
func Repeats(text string, earlier []string) bool {
	want := normalizeSpaceAndCase(text)
	for _, e := range earlier {
		if normalizeSpaceAndCase(e) == want {
			return true
		}
	}
	return false
}

// normalizeSpaceAndCase trims text, folds its case and makes every run of white space one
// space.
func normalizeSpaceAndCase(text string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(text), unicode.IsSpace), " ")
}

// List is the watched words, read from memory: every post and chat message is checked,
// so the compiled list is kept and replaced after each change commits.
type List struct {
	db       *storage.DB
	store    *Store
	compiled atomic.Pointer[[]*matcher]
	now      func() time.Time
	peers    *bus.Bus
	log      *slog.Logger
}

// subjectChanged tells the other nodes that the list changed.
const subjectChanged = "watchwords"

// New loads and compiles the list from db. peers are the other nodes on db: when one of
// them changes the list, this node reads it again, so a word blocked on one node is
// blocked on all within a moment.
func New(ctx context.Context, db *storage.DB, peers *bus.Bus, log *slog.Logger) (*List, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &List{db: db, store: NewStore(db), now: time.Now, peers: peers, log: log}
	if err := l.reload(ctx); err != nil {
		return nil, err
	}
	if err := peers.Subscribe(subjectChanged, func([]byte) { l.reloadFromPeer() }); err != nil {
		return nil, err
	}
	peers.OnResync(l.reloadFromPeer)
	return l, nil
}

// reloadFromPeer reads the list another node changed.
func (l *List) reloadFromPeer() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.reload(ctx); err != nil {
		l.log.Error("watchwords: reading the list another node changed failed", "err", err)
	}
}

func (l *List) reload(ctx context.Context) error {
	entries, err := l.store.entries(ctx)
	if err != nil {
		return err
	}
	ms := compileAll(entries)
	l.compiled.Store(&ms)
	return nil
}

func compileAll(entries []Entry) []*matcher {
	ms := make([]*matcher, 0, len(entries))
	for _, e := range entries {
		m, err := compile(e)
		if err != nil {
			// Saved entries were checked on save; one that no longer compiles (a Go
			// upgrade) is skipped rather than stopping the site.
			continue
		}
		ms = append(ms, m)
	}
	return ms
}

// Check applies the list to text.
func (l *List) Check(text string) Result {
	return check(*l.compiled.Load(), text)
}

// Entries lists the watched words, oldest first.
func (l *List) Entries(ctx context.Context) ([]Entry, error) { return l.store.entries(ctx) }

// Input is what an admin submits to add an entry.
type Input struct {
	Pattern     string
	Regex       bool
	Action      Action
	Replacement string
}

// Check trims in and returns the messages for its fields, or nil.
func (in *Input) Check() error {
	in.Pattern = strings.TrimSpace(in.Pattern)
	in.Replacement = strings.TrimSpace(in.Replacement)
	fields := map[string]string{}
	switch {
	case in.Pattern == "":
		fields["pattern"] = "Write the word or expression to watch for."
	case strings.ContainsAny(in.Pattern, "\r\n"):
		fields["pattern"] = "Write the word or expression on one line."
	case !in.Regex && utf8.RuneCountInString(in.Pattern) > MaxWordRunes:
		fields["pattern"] = fmt.Sprintf("Shorten the word to %d characters or fewer.", MaxWordRunes)
	case in.Regex && len(in.Pattern) > MaxRegexBytes:
		fields["pattern"] = fmt.Sprintf("Shorten the expression to %d characters or fewer.", MaxRegexBytes)
	case in.Regex:
		re, err := regexp.Compile("(?i)" + in.Pattern)
		if err != nil {
			fields["pattern"] = "This is not a regular expression Stoa understands (Go RE2 syntax): " + strings.TrimPrefix(err.Error(), "error parsing regexp: ") + "."
		} else if re.MatchString("") {
			fields["pattern"] = "This expression matches empty text, so it would match everything. Make it match at least one character."
		}
	}
	switch in.Action {
	case Block, Hold:
		in.Replacement = ""
	case Replace:
		if in.Replacement == "" {
			in.Replacement = DefaultReplacement
		}
		if utf8.RuneCountInString(in.Replacement) > MaxReplacementRunes {
			fields["replacement"] = fmt.Sprintf("Shorten the replacement to %d characters or fewer.", MaxReplacementRunes)
		}
	default:
		fields["action"] = "Choose block, hold for review or replace."
	}
	return web.InvalidFields(fields)
}

// Actor is the admin making a change.
type Actor struct {
	ID   int64
	Name string
}

// Recorder writes a change into the audit log inside the change's transaction; the
// server wires moderation's audit log in.
type Recorder func(tx *storage.Tx, actor Actor, summary string) error

var errTaken = web.Invalid("pattern", "This word or expression is on the list already. Remove it first to change what it does.")

// Add puts an entry on the list and records it with record in the same transaction.
func (l *List) Add(ctx context.Context, actor Actor, in Input, record Recorder) error {
	if err := in.Check(); err != nil {
		return err
	}
	kind := "word"
	if in.Regex {
		kind = "expression"
	}
	summary := fmt.Sprintf("Watched %s “%s” added: %s", kind, in.Pattern, strings.ToLower(in.Action.Label()))
	if in.Action == Replace {
		summary += " with “" + in.Replacement + "”"
	}
	err := l.db.Write(ctx, func(tx *storage.Tx) error {
		if err := l.store.insert(tx, in, actor.ID, l.now()); err != nil {
			return err
		}
		if err := record(tx, actor, summary); err != nil {
			return err
		}
		return l.reloadAfter(tx)
	})
	if storage.IsUniqueViolation(err) {
		return errTaken
	}
	return err
}

// Remove takes entry id off the list and records it.
func (l *List) Remove(ctx context.Context, actor Actor, id int64, record Recorder) error {
	return l.db.Write(ctx, func(tx *storage.Tx) error {
		e, err := l.store.remove(tx, id)
		if err != nil {
			return err
		}
		if err := record(tx, actor, fmt.Sprintf("Watched word “%s” removed (it did: %s)", e.Pattern, strings.ToLower(e.Action.Label()))); err != nil {
			return err
		}
		return l.reloadAfter(tx)
	})
}

// reloadAfter compiles the list as tx leaves it and publishes it once tx commits, on the
// writer and in commit order, so the last change wins and no check waits on a read.
func (l *List) reloadAfter(tx *storage.Tx) error {
	entries, err := l.store.entriesTx(tx)
	if err != nil {
		return err
	}
	ms := compileAll(entries)
	tx.AfterCommit(func() {
		l.compiled.Store(&ms)
		l.peers.Publish(subjectChanged, nil)
	})
	return nil
}

// Refusal is what the author of a blocked text is told, beside field ("body", "title"
// or "form"): which word, why, and that their text is kept.
func (h *Hit) Refusal(field string) *web.Error {
	return web.Invalid(field, fmt.Sprintf("“%s” is on this community's list of watched words, so this cannot be published. Reword it and send it again; your text is kept below.", h.Word))
}

// HeldNote is what moderators are told about a held text.
func (h *Hit) HeldNote() string { return fmt.Sprintf("Watched word “%s”", h.Word) }
