package markup

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestRenderFormatting(t *testing.T) {
	r := newTestRenderer()
	tests := []struct {
		name, src, tag, text string
		attrs                map[string]string
	}{
		{name: "bold", src: "some **bold** text", tag: "strong", text: "bold"},
		{name: "italic", src: "some *italic* text", tag: "em", text: "italic"},
		{name: "italic underscore", src: "some _italic_ text", tag: "em", text: "italic"},
		{name: "strikethrough", src: "~~gone~~", tag: "del", text: "gone"},
		{name: "heading without id", src: "## Title", tag: "h2", text: "Title"},
		{name: "table header aligned", src: "| a | b |\n|:-:|--:|\n| 1 | 2 |", tag: "th", text: "a",
			attrs: map[string]string{"class": "align-center"}},
		{name: "table cell aligned", src: "| a | b |\n|---|--:|\n| 1 | 2 |", tag: "td", text: "1"},
		{name: "autolink", src: "see https://example.com/x?y=1 now", tag: "a", text: "https://example.com/x?y=1",
			attrs: map[string]string{"href": "https://example.com/x?y=1"}},
		{name: "www autolink", src: "see www.example.com now", tag: "a", text: "www.example.com",
			attrs: map[string]string{"href": "http://www.example.com"}},
		{name: "email autolink", src: "mail bob@example.com", tag: "a", text: "bob@example.com",
			attrs: map[string]string{"href": "mailto:bob@example.com"}},
		{name: "fenced code with language", src: "```go\nfmt.Println(1 < 2)\n```", tag: "code", text: "fmt.Println(1 < 2)\n",
			attrs: map[string]string{"class": "language-go"}},
		{name: "fenced code without language", src: "```\nplain\n```", tag: "pre", text: "plain\n"},
		{name: "code span", src: "use `a<b`", tag: "code", text: "a<b"},
		{name: "task list", src: "- [x] done", tag: "input", text: "",
			attrs: map[string]string{"type": "checkbox", "checked": "", "disabled": ""}},
		{name: "ordered list start", src: "3. three", tag: "ol", text: "\nthree\n", attrs: map[string]string{"start": "3"}},
		{name: "quote", src: "> quoted", tag: "blockquote", text: "\nquoted\n"},
		{name: "link title", src: `[x](/a "Tip")`, tag: "a", text: "x", attrs: map[string]string{"href": "/a", "title": "Tip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := r.Render(tt.src).HTML
			found := elements(parseFragment(t, out), tt.tag)
			if len(found) == 0 {
				t.Fatalf("Render(%q) = %q: no <%s>", tt.src, out, tt.tag)
			}
			n := found[0]
			if got := textOf(n); got != tt.text {
				t.Errorf("Render(%q) = %q: <%s> text %q, want %q", tt.src, out, tt.tag, got, tt.text)
			}
			for k, want := range tt.attrs {
				if got, ok := attr(n, k); !ok || got != want {
					t.Errorf("Render(%q) = %q: %s=%q (present %v), want %q", tt.src, out, k, got, ok, want)
				}
			}
			if _, ok := attr(n, "id"); ok {
				t.Errorf("Render(%q) = %q: unexpected id", tt.src, out)
			}
		})
	}
}

func TestEveryLinkHasRel(t *testing.T) {
	src := "[rel](/r) [abs](https://example.com) <https://auto.example> https://bare.example " +
		"a@example.com ![img](https://img.example/x.png) @alice [mail](mailto:a@example.com)"
	out := newTestRenderer().Render(src).HTML
	links := elements(parseFragment(t, out), "a")
	if len(links) != 8 {
		t.Fatalf("Render(%q) = %q: %d links, want 8", src, out, len(links))
	}
	for _, a := range links {
		if rel, _ := attr(a, "rel"); rel != "nofollow ugc noopener" {
			t.Errorf("link %q has rel=%q, want \"nofollow ugc noopener\"", textOf(a), rel)
		}
		if _, ok := attr(a, "target"); ok {
			t.Errorf("link %q has a target", textOf(a))
		}
	}
}

func TestDisallowedLinkIsText(t *testing.T) {
	for _, src := range []string{"[click](javascript:alert(1))", "[click](ftp://example.com/f)", "[click](data:text/plain,hi)", "[click]()"} {
		out := newTestRenderer().Render(src).HTML
		nodes := parseFragment(t, out)
		if links := elements(nodes, "a"); len(links) != 0 {
			t.Errorf("Render(%q) = %q: want no link", src, out)
		}
		if !strings.Contains(out, "click") {
			t.Errorf("Render(%q) = %q: link text lost", src, out)
		}
	}
}

func TestImageIsLink(t *testing.T) {
	r := newTestRenderer()
	src := `![a *cat*](https://img.example/cat.png "Cat")`
	out := r.Render(src).HTML
	nodes := parseFragment(t, out)
	if imgs := elements(nodes, "img"); len(imgs) != 0 {
		t.Fatalf("Render(%q) = %q: has <img>", src, out)
	}
	links := elements(nodes, "a")
	if len(links) != 1 {
		t.Fatalf("Render(%q) = %q: %d links, want 1", src, out, len(links))
	}
	a := links[0]
	for k, want := range map[string]string{
		"href": "https://img.example/cat.png", "class": "img-link", "title": "Cat", "rel": "nofollow ugc noopener",
	} {
		if got, _ := attr(a, k); got != want {
			t.Errorf("Render(%q) = %q: %s=%q, want %q", src, out, k, got, want)
		}
	}
	if got := textOf(a); got != "Image: a cat" {
		t.Errorf("Render(%q) = %q: link text %q", src, out, got)
	}

	// An image inside a link cannot become a nested link: it becomes the
	// outer link's label.
	src = "[![badge](https://img.example/b.svg)](https://example.com)"
	out = r.Render(src).HTML
	links = elements(parseFragment(t, out), "a")
	if len(links) != 1 || textOf(links[0]) != "Image: badge" {
		t.Errorf("Render(%q) = %q: want one link labelled \"Image: badge\"", src, out)
	}
	if got, _ := attr(links[0], "class"); got != "img-link" {
		t.Errorf("Render(%q) = %q: the link holding the image is not marked img-link", src, out)
	}
	if got, _ := attr(links[0], "href"); got != "https://example.com" {
		t.Errorf("Render(%q) = %q: href %q", src, out, got)
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"hi @alice", []string{"alice"}},
		{"@Alice and @BOB and @alice again", []string{"alice", "bob"}},
		{"thanks @carol.", []string{"carol"}},
		{"(@dave) @e_f-g, @h1!", []string{"dave", "e_f-g", "h1"}},
		{"**@bold** *@em* _@under_ ~~@gone~~", []string{"bold", "em", "under", "gone"}},
		{"@a is too short", nil},
		{"@" + strings.Repeat("x", 32) + " fits", []string{strings.Repeat("x", 32)}},
		{"@" + strings.Repeat("x", 33) + " is too long", nil},
		{"mail bob@example.com or x.y@example.org", nil},
		{"first.last@example.com a+b@example.com a-b@example.com", nil},
		{"@eve@example.com is an address", nil},
		{"@example.com is a domain", nil},
		{"`@code` span", nil},
		{"```\n@block\n```", nil},
		{"    @indented code", nil},
		{"[@linked](/x) and [text @inside](/y)", nil},
		{"https://example.com/@path and <https://example.com/@auto>", nil},
		{`\@escaped`, nil},
		{"@alicé runs on", nil},
		{"café@bob", nil},
	}
	r := newTestRenderer()
	for _, tt := range tests {
		res := r.Render(tt.src)
		if !slices.Equal(res.Mentions, tt.want) {
			t.Errorf("Render(%q).Mentions = %q, want %q (html %q)", tt.src, res.Mentions, tt.want, res.HTML)
		}
		var links []string
		for _, a := range elements(parseFragment(t, res.HTML), "a") {
			if c, _ := attr(a, "class"); c == "mention" {
				href, _ := attr(a, "href")
				links = append(links, strings.TrimPrefix(href, "/u/"))
			}
		}
		if len(links) < len(tt.want) {
			t.Errorf("Render(%q) = %q: %d mention links, want at least %d", tt.src, res.HTML, len(links), len(tt.want))
		}
	}
}

func TestMentionLink(t *testing.T) {
	out := newTestRenderer().Render("hi @Alice").HTML
	want := `<p>hi <a href="/u/alice" rel="nofollow ugc noopener" class="mention">@Alice</a></p>`
	if strings.TrimSpace(out) != want {
		t.Errorf("Render = %q, want %q", out, want)
	}
}

func TestMentionWithoutURL(t *testing.T) {
	res := New(Options{}).Render("hi @alice")
	if len(elements(parseFragment(t, res.HTML), "a")) != 0 {
		t.Errorf("Render = %q: want no link without MentionURL", res.HTML)
	}
	if !strings.Contains(res.HTML, "@alice") || !slices.Equal(res.Mentions, []string{"alice"}) {
		t.Errorf("Render = %q, %q: want text @alice and mention alice", res.HTML, res.Mentions)
	}
}

func TestRawHTMLShownAsText(t *testing.T) {
	r := newTestRenderer()
	for src, want := range map[string]string{
		"<script>alert(1)</script>":      "<script>alert(1)</script>",
		"a <b>bold</b> word":             "a <b>bold</b> word",
		"x <img src=x onerror=alert(1)>": "x <img src=x onerror=alert(1)>",
		"<div>\nblock\n</div>":           "<div>\nblock\n</div>",
	} {
		out := r.Render(src).HTML
		nodes := parseFragment(t, out)
		if got := textOf(nodes[0]); got != want {
			t.Errorf("Render(%q) = %q: text %q, want %q", src, out, got, want)
		}
		checkSafe(t, src, out)
	}
}

func TestInvalidUTF8(t *testing.T) {
	r := newTestRenderer()
	for _, src := range []string{
		"\xff\xfe hello", "**bold \xc3** @al\xffice", "[x](/a\xff) `\xe2\x82`", "| a\xff |\n|--|\n| \xc0 |",
		"nul\x00byte", "@bob\x80", "```\xff\n\xfe\n```",
	} {
		res := r.Render(src)
		if !utf8.ValidString(res.HTML) {
			t.Errorf("Render(%q) = %q: not valid UTF-8", src, res.HTML)
		}
		for _, m := range res.Mentions {
			if !utf8.ValidString(m) {
				t.Errorf("Render(%q) mention %q is not valid UTF-8", src, m)
			}
		}
		if strings.Contains(res.HTML, "\x00") {
			t.Errorf("Render(%q) = %q: has NUL", src, res.HTML)
		}
		checkSafe(t, src, res.HTML)
	}
}

func TestConcurrentRender(t *testing.T) {
	r := newTestRenderer()
	want := r.Render(post1K()).HTML
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if got := r.Render(post1K()).HTML; got != want {
					t.Error("concurrent Render gave a different result")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestExcerpt(t *testing.T) {
	r := newTestRenderer()
	html := r.Render("# Title\n\nSome **bold** text &amp; more.\n\n- one\n- two\n\n```\ncode\n```").HTML
	tests := []struct {
		n    int
		want string
	}{
		{0, ""},
		{1, "…"},
		{100, "Title Some bold text & more. one two code"},
		{20, "Title Some bold…"},
		{6, "Title…"},
	}
	for _, tt := range tests {
		got := Excerpt(html, tt.n)
		if got != tt.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", html, tt.n, got, tt.want)
		}
		if c := utf8.RuneCountInString(got); c > tt.n {
			t.Errorf("Excerpt(_, %d) has %d runes", tt.n, c)
		}
	}
	if got := Excerpt("<p>日本語のテキスト</p>", 4); got != "日本語…" {
		t.Errorf("Excerpt CJK = %q", got)
	}
}

func TestTableCellBudget(t *testing.T) {
	r := newTestRenderer()
	// 5,000 columns padded over 2,000 short rows would be 10 million cells.
	wide := strings.Repeat("|a", 5000) + "\n" + strings.Repeat("|-", 5000) + "\n" + strings.Repeat("|x\n", 2000)
	out := r.Render(wide).HTML
	if strings.Contains(out, "<table") {
		t.Errorf("a table over the cell budget was rendered as a table")
	}
	if len(out) > 2*len(wide) {
		t.Errorf("Render of %d bytes gave %d bytes", len(wide), len(out))
	}
	// A large honest table is still a table.
	honest := strings.Repeat("| a ", 20) + "|\n" + strings.Repeat("|---", 20) + "|\n" +
		strings.Repeat(strings.Repeat("| x ", 20)+"|\n", 200)
	if out := r.Render(honest).HTML; !strings.Contains(out, "<table>") {
		t.Errorf("a 20×200 table was not rendered as a table")
	}
}

// TestOutputBounded guards against inputs that make the output balloon.
// Markdown legitimately expands ("- x" becomes "<ul>\n<li>x</li>\n</ul>"), so
// the bound is generous; the point is to catch multiplicative blow-ups.
func TestOutputBounded(t *testing.T) {
	r := newTestRenderer()
	for name, src := range map[string]string{
		"list items":   strings.Repeat("- x\n", 5000),
		"mentions":     strings.Repeat("@ab ", 5000),
		"autolinks":    strings.Repeat("www.a.com ", 2000),
		"emails":       strings.Repeat("a@b.c ", 2000),
		"images":       strings.Repeat("![](x)", 2000),
		"tall table":   "|a|b|c|d|\n|-|-|-|-|\n" + strings.Repeat("x\n", 5000),
		"nested quote": strings.Repeat("> ", 1000) + "x",
	} {
		out := r.Render(src).HTML
		if len(out) > 40*len(src)+1024 {
			t.Errorf("%s: %d bytes of Markdown gave %d bytes of HTML", name, len(src), len(out))
		}
	}
}
