package markup

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// newTestRenderer returns a Renderer whose mentions link to /u/NAME.
func newTestRenderer() *Renderer {
	return New(Options{MentionURL: func(u string) string { return "/u/" + u }})
}

// parseFragment parses rendered HTML the way a browser parses it inside <body>.
func parseFragment(tb testing.TB, s string) []*html.Node {
	tb.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return nodes
}

// elements returns every element named tag (all elements when tag is "") in
// document order.
func elements(nodes []*html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (tag == "" || n.Data == tag) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

// attr returns n's attribute key and whether it is present.
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf returns the text content of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// allowedElements is every element our pipeline may emit.
func allowedElements() map[string]bool {
	m := map[string]bool{}
	for _, e := range strings.Fields("p h1 h2 h3 h4 h5 h6 blockquote hr br em strong del pre code ul ol li input table thead tbody tr th td a span") {
		m[e] = true
	}
	return m
}

// unsafeScheme reports whether a URL attribute value would run script or
// embed content when followed, judged as a browser would: ignoring
// whitespace and control characters, case-insensitively.
func unsafeScheme(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '\u00a0' || r == '\ufeff' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(v)
	for _, s := range []string{"javascript:", "data:", "vbscript:"} {
		if strings.HasPrefix(v, s) {
			return true
		}
	}
	return false
}

// checkSafe fails tb if out, rendered from src, holds anything that could
// run script, load a third-party resource or restyle the page.
func checkSafe(tb testing.TB, src, out string) {
	tb.Helper()
	if !utf8.ValidString(out) {
		tb.Errorf("Render(%q) is not valid UTF-8: %q", src, out)
	}
	allowed := allowedElements()
	for _, n := range elements(parseFragment(tb, out), "") {
		switch n.Data {
		case "script", "iframe", "object", "embed", "style", "img", "svg", "math", "form", "frame", "base", "link", "meta":
			tb.Errorf("Render(%q) has <%s>: %s", src, n.Data, out)
		}
		if !allowed[n.Data] || n.Namespace != "" {
			tb.Errorf("Render(%q) has unexpected element %s:<%s>: %s", src, n.Namespace, n.Data, out)
		}
		if c, _ := attr(n, "class"); n.Data == "span" && c != "img-label" {
			tb.Errorf("Render(%q) has a span that is not the image label: %s", src, out)
		}
		if n.Data == "input" {
			if typ, _ := attr(n, "type"); typ != "checkbox" {
				tb.Errorf("Render(%q) has a non-checkbox input: %s", src, out)
			}
			if _, ok := attr(n, "disabled"); !ok {
				tb.Errorf("Render(%q) has an enabled input: %s", src, out)
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
				tb.Errorf("Render(%q) has attribute %s=%q: %s", src, a.Key, a.Val, out)
			}
			switch key {
			case "href", "src", "action", "formaction", "cite", "background", "poster", "xlink:href":
				if unsafeScheme(a.Val) {
					tb.Errorf("Render(%q) has %s=%q: %s", src, a.Key, a.Val, out)
				}
			}
		}
	}
}
