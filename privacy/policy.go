package privacy

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/storage"
	"stoa/web"
)

// The policies Stoa seeds and links from every page.
const (
	PrivacyPolicy = "privacy"
	Agreement     = "agreement"
)

// MaxPolicyBytes bounds a policy's source; a diff of two versions stays cheap to compute.
const MaxPolicyBytes = 64 << 10

// Policy is one version of a policy document.
type Policy struct {
	Name      string
	Version   int
	Title     string
	Source    string
	HTML      string
	Material  bool
	CreatedAt time.Time
}

// URL is the address of the policy's current version.
func (p *Policy) URL() string { return "/policies/" + p.Name }

// Rule is one numbered rule of the community agreement, for notices that cite it.
type Rule struct {
	Number int
	Text   string
}

var ruleLine = regexp.MustCompile(`^(\d{1,3})[.)][ \t]+(.*)$`)

// Rules returns the items of the document's top-level numbered list, in order. An item's
// indented continuation lines belong to it; nested lists and other paragraphs do not.
func (p *Policy) Rules() []Rule {
	var out []Rule
	open := false
	for _, line := range strings.Split(p.Source, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if m := ruleLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, Rule{Number: n, Text: strings.TrimSpace(m[2])})
			open = true
			continue
		}
		trimmed := strings.TrimSpace(line)
		indented := line != trimmed && strings.HasPrefix(line, "  ")
		nested := strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* ") || ruleLine.MatchString(trimmed)
		if open && indented && !nested {
			out[len(out)-1].Text += " " + trimmed
			continue
		}
		if trimmed == "" || !indented {
			open = false
		}
	}
	return out
}

// Options are what privacy's parts need besides the database. Every field a part uses
// is required.
type Options struct {
	// Render turns Markdown into sanitised HTML (the markup pipeline), for policies and
	// announcements.
	Render func(src string) string
	// Members finds the members to write to.
	Members Members
	// Mailer queues mail; with no mail server configured, the outbox keeps it.
	Mailer Mailer
	// BaseURL makes the links in emails absolute.
	BaseURL string
	// VersionChanged, when set, is called after the commit of a new policy version, so
	// that what keeps the version in force (chat, on every node) drops it.
	VersionChanged func()
}

// need panics when a part is built without what it needs: wiring mistakes show at start.
func need(part string, ok bool, what string) {
	if !ok {
		panic("privacy: " + part + " needs " + what)
	}
}

// Policies stores the versions of every policy document and members' consent to them.
type Policies struct {
	db      *storage.DB
	store   store
	render  func(src string) string
	members Members
	mailer  Mailer
	baseURL string
	now     func() time.Time
	changed func()
}

// NewPolicies returns the policy store on db; it uses Render, Members, Mailer and BaseURL.
func NewPolicies(db *storage.DB, opts Options) *Policies {
	need("NewPolicies", opts.Render != nil, "Render")
	need("NewPolicies", opts.Members != nil, "Members")
	need("NewPolicies", opts.Mailer != nil, "a Mailer")
	return &Policies{db: db, store: store{db}, render: opts.Render, members: opts.Members, mailer: opts.Mailer,
		baseURL: opts.BaseURL, now: time.Now, changed: opts.VersionChanged}
}

// Current returns the newest version of the named policy.
func (s *Policies) Current(ctx context.Context, name string) (*Policy, error) {
	return s.store.currentPolicy(ctx, name)
}

// CurrentVersion returns the number of the named policy's newest version, for records
// that say which version a member saw (such as chat's disclosure acknowledgements).
func (s *Policies) CurrentVersion(ctx context.Context, name string) (int, error) {
	return s.store.latestVersion(ctx, name)
}

// Version returns one version of the named policy.
func (s *Policies) Version(ctx context.Context, name string, v int) (*Policy, error) {
	return s.store.policyVersion(ctx, name, v)
}

// History returns every version of the named policy, newest first.
func (s *Policies) History(ctx context.Context, name string) ([]Policy, error) {
	return s.store.policyHistory(ctx, name)
}

// All returns the newest version of every policy, by name.
func (s *Policies) All(ctx context.Context) ([]Policy, error) {
	return s.store.currentPolicies(ctx)
}

var policyName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidPolicyName reports whether name can address a policy (/policies/{name}).
func ValidPolicyName(name string) bool { return policyName.MatchString(name) }

// Save adds a new version of the named policy. A material change also queues an email
// to every member with an address, in the same transaction, and shows a banner to every
// member until they acknowledge it (P14). The admin who saves it has seen it.
func (s *Policies) Save(ctx context.Context, name, title, source string, material bool, adminID int64) (*Policy, error) {
	title, source = strings.TrimSpace(title), strings.TrimSpace(source)+"\n"
	fields := map[string]string{}
	if !ValidPolicyName(name) {
		fields["name"] = "Use lower-case letters, digits and '-' for the policy's address, up to 40 characters."
	}
	if n := utf8.RuneCountInString(title); n == 0 || n > 120 {
		fields["title"] = "Give the policy a title of up to 120 characters."
	}
	switch {
	case strings.TrimSpace(source) == "":
		fields["source"] = "Write the policy's text."
	case len(source) > MaxPolicyBytes:
		fields["source"] = fmt.Sprintf("The text is %d KiB; the limit is %d KiB.", len(source)>>10, MaxPolicyBytes>>10)
	}
	if err := web.InvalidFields(fields); err != nil {
		return nil, err
	}
	var recipients []Member
	if material {
		var err error
		if recipients, err = s.members.WithEmail(ctx); err != nil {
			return nil, fmt.Errorf("privacy: members to notify: %w", err)
		}
	}
	p := &Policy{Name: name, Title: title, Source: source, HTML: s.render(source), Material: material, CreatedAt: s.now().UTC().Truncate(time.Second)}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.insertPolicy(tx, p, adminID); err != nil {
			return err
		}
		if s.changed != nil {
			tx.AfterCommit(s.changed)
		}
		if adminID != 0 {
			if err := s.store.insertConsent(tx, adminID, name, p.Version, "acknowledged", p.CreatedAt); err != nil {
				return err
			}
		}
		if !material {
			return nil
		}
		for _, m := range recipients {
			if m.ID == adminID {
				continue // they wrote it
			}
			if err := s.mailer.Enqueue(tx, s.changeMail(p, m)); err != nil {
				return fmt.Errorf("privacy: queue policy mail to member %d: %w", m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Policies) changeMail(p *Policy, m Member) Mail {
	link := fmt.Sprintf("%s/policies/%s/diff?from=%d&to=%d", s.baseURL, p.Name, p.Version-1, p.Version)
	if p.Version == 1 {
		link = s.baseURL + "/policies/" + p.Name
	}
	text := fmt.Sprintf("Hello %s,\n\nWe changed the %s of this site. The change is material, so we are telling "+
		"everyone who gave us an email address.\n\nSee exactly what changed:\n%s\n\nThe next time you visit, "+
		"the site will ask you to confirm you have read it.\n\nYou receive this because policy changes are "+
		"announced to every member who gave an address; this is not marketing.\n", m.Username, p.Title, link)
	html := "<p>Hello " + html.EscapeString(m.Username) + ",</p><p>We changed the " + html.EscapeString(p.Title) +
		" of this site. The change is material, so we are telling everyone who gave us an email address.</p>" +
		`<p><a href="` + html.EscapeString(link) + `">See exactly what changed</a></p>` +
		"<p>The next time you visit, the site will ask you to confirm you have read it.</p>"
	return Mail{To: m.MailTo(), Subject: "We changed the " + p.Title, Text: text, HTML: html, Kind: "policy", UserID: m.ID}
}

// Seed adds the default privacy policy and community agreement when they do not exist.
func (s *Policies) Seed(ctx context.Context) error {
	for _, d := range defaultPolicies {
		if _, err := s.Current(ctx, d.name); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := s.Save(ctx, d.name, d.title, d.source, false, 0); err != nil {
			return fmt.Errorf("privacy: seed %q: %w", d.name, err)
		}
	}
	return nil
}
