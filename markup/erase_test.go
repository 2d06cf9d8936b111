package markup

import (
	"strings"
	"testing"
)

func TestEraseQuotesAndMentions(t *testing.T) {
	r := newTestRenderer()
	alice := "I think the **meeting** should move to Thursday.\nIt clashes with the release."
	quoted := QuoteOf("alice", []string{alice})
	cases := []struct {
		name, in, want string
	}{
		{"quote-reply of the erased post",
			"@alice wrote:\n> I think the **meeting** should move to Thursday.\n> It clashes with the release.\n\nAgreed, Thursday works.",
			"\\@alice wrote:\n> " + Removed + "\n\nAgreed, Thursday works."},
		{"a trimmed quote without attribution",
			"> should move to Thursday.\n\nWhy?",
			"> " + Removed + "\n\nWhy?"},
		{"an attributed quote of something else she wrote",
			"@Alice wrote:\n> something from the chat\n>\n> over two paragraphs\n\nok",
			"\\@Alice wrote:\n> " + Removed + "\n\nok"},
		{"a short quote could be anyone's",
			"> Thursday\n\nyes",
			"> Thursday\n\nyes"},
		{"someone else's quote stays",
			"@bob wrote:\n> I prefer Friday, to be honest with you all.\n\nme too",
			"@bob wrote:\n> I prefer Friday, to be honest with you all.\n\nme too"},
		{"her quote inside bob's quote",
			"@bob wrote:\n> @alice wrote:\n> > I think the **meeting** should move to Thursday.\n>\n> No way.\n\nHa",
			"@bob wrote:\n> \\@alice wrote:\n> > " + Removed + "\n>\n> No way.\n\nHa"},
		{"code in her quote goes with it",
			"@alice wrote:\n> ```\n> make release\n> ```\n\nthanks",
			"\\@alice wrote:\n> " + Removed + "\n\nthanks"},
		{"mentions stop linking, code is left alone",
			"Ask @alice or @alicia, see `@alice` and [@alice](https://example.org)",
			"Ask \\@alice or @alicia, see `@alice` and [@alice](https://example.org)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed := r.Erase(c.in, Erasure{Name: "alice", Quoted: quoted})
			if got != c.want || changed != (c.in != c.want) {
				t.Fatalf("Erase(%q)\n got %q (changed %v)\nwant %q", c.in, got, changed, c.want)
			}
			html := r.Render(got).HTML
			if strings.Contains(html, `href="/u/alice"`) || strings.Contains(html, "should move to Thursday.") && strings.Contains(c.want, Removed) {
				t.Errorf("rendered: %s", html)
			}
			if again, changed := r.Erase(got, Erasure{Name: "alice", Quoted: quoted}); changed {
				t.Errorf("a second erasure changed it again: %q", again)
			}
		})
	}
	// Mentions of the name are escaped for good: the rendered text still reads @alice.
	out, _ := r.Erase("thanks @alice!", Erasure{Name: "alice"})
	if html := r.Render(out).HTML; html != "<p>thanks @alice!</p>\n" {
		t.Errorf("an unlinked mention renders as %q", html)
	}
	if res := r.Render(out); len(res.Mentions) != 0 {
		t.Errorf("an unlinked mention still notifies %v", res.Mentions)
	}
}

func TestOwnTextLeavesQuotesOut(t *testing.T) {
	r := newTestRenderer()
	html := r.Render("@alice wrote:\n> The zeppelin lands\n> > at noon\n\nI'll be there, **zeppelin** or not.").HTML
	if got, want := OwnText(html, 200), "@alice wrote: I'll be there, zeppelin or not."; got != want {
		t.Errorf("OwnText = %q, want %q", got, want)
	}
	if got := Excerpt(html, 200); !strings.Contains(got, "lands") {
		t.Errorf("Excerpt lost the quote: %q", got)
	}
}
