package markup

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// newPolicy builds the sanitiser that every rendered post and message passes
// through. It is assembled from bluemonday's UGC building blocks but, unlike
// bluemonday.UGCPolicy, allows only what our goldmark pipeline emits: UGCPolicy
// also allows <img>, which would hot-link third-party images and leak
// readers' IP addresses, and bluemonday has no way to take an allowance back.
// Author-written raw HTML never reaches this point as markup (it is rendered
// as text), so the policy is the second line of defence, not the first.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	// URLs must parse; only http, https, mailto and relative URLs survive;
	// rel="nofollow" is enforced on every link even if a renderer forgets it.
	p.AllowStandardURLs()

	// Block structure CommonMark produces: paragraphs, headings (no id; we do
	// not generate anchors in user content), quotes, rules, hard line breaks.
	p.AllowElements("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "br")

	// Inline emphasis, plus <del> for GFM ~~strikethrough~~.
	p.AllowElements("em", "strong", "del")

	// Code spans and blocks.
	p.AllowElements("pre", "code")
	// class on <code> only as language-xxx from a fenced block's info string,
	// for client-side highlighting; no other class names, so authors cannot
	// borrow the site's own styles.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,32}$`)).OnElements("code")

	// Lists; start="N" for ordered lists that do not begin at 1.
	p.AllowElements("ul", "ol", "li")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")

	// GFM task lists render as <input checked disabled type="checkbox">. Only
	// a checkbox, only these boolean attributes: no name, value or form, so
	// nothing an author writes can become a working form control.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")

	// GFM tables; a column's alignment as class="align-left|center|right" on its
	// cells (tables.go), which the stylesheet styles: no inline CSS, and no other
	// class names, so authors cannot borrow the site's own styles.
	p.AllowElements("table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^align-(left|center|right)$`)).OnElements("th", "td")

	// Links: href is checked by the URL policy above. rel is allowed only as
	// the exact value our renderer writes, so every link is nofollow (no SEO
	// value for spam), ugc (marked as user content) and noopener.
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow ugc noopener$`)).OnElements("a")
	// Markdown link titles ([text](url "title")) become tooltips. Any text
	// up to a sane length: attribute values are escaped on output and a
	// title cannot run anything (bluemonday.Paragraph would drop ordinary
	// titles containing "?" or ":").
	p.AllowAttrs("title").Matching(regexp.MustCompile(`^(?s).{1,300}$`)).OnElements("a")
	// Our two link classes: img-link (an image shown as a link, see
	// transform.go) and mention (an @name profile link).
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(img-link|mention)$`)).OnElements("a")
	// The hidden word "Image:" inside an image link, for screen readers (the
	// stylesheet draws an icon for everyone else). A span only with this class.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^img-label$`)).OnElements("span")

	return p
}
