package markup

import (
	"bytes"
	"html"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// linkRel is written on every link we emit; the policy accepts exactly this.
const linkRel = ` rel="nofollow ugc noopener"`

// nodeRenderer replaces goldmark's HTML output for links, autolinks, raw HTML
// and table cells, and renders mentions.
type nodeRenderer struct {
	mentionURL func(string) string
	writer     gmhtml.Writer
}

func newNodeRenderer(mentionURL func(string) string) *nodeRenderer {
	return &nodeRenderer{mentionURL: mentionURL, writer: gmhtml.NewWriter()}
}

// RegisterFuncs implements renderer.NodeRenderer.
func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, r.renderLink)
	reg.Register(ast.KindAutoLink, r.renderAutoLink)
	reg.Register(ast.KindRawHTML, r.renderRawHTML)
	reg.Register(ast.KindHTMLBlock, r.renderHTMLBlock)
	reg.Register(kindMention, r.renderMention)
	reg.Register(kindImageLabel, renderImageLabel)
	reg.Register(east.KindTableCell, renderTableCell)
}

// renderLink writes an <a> with our rel, or only the link text when the
// destination is not a URL we allow.
func (r *nodeRenderer) renderLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	dest := util.URLEscape(n.Destination, true)
	if !safeURL(dest) {
		return ast.WalkContinue, nil
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_ = w.WriteByte('"')
	_, _ = w.WriteString(linkRel)
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		r.writer.Write(w, n.Title)
		_ = w.WriteByte('"')
	}
	// Only transformer sets attributes (class="img-link"); authors cannot,
	// because the attribute syntax extension is not enabled.
	if class, ok := n.AttributeString("class"); ok {
		if b, ok := class.([]byte); ok {
			_, _ = w.WriteString(` class="`)
			_, _ = w.Write(util.EscapeHTML(b))
			_ = w.WriteByte('"')
		}
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

// renderAutoLink writes a GFM autolink (bare URL or email address, or <url>).
func (r *nodeRenderer) renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := n.Label(source)
	url := util.URLEscape(n.URL(source), false)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(url), []byte("mailto:")) {
		url = append([]byte("mailto:"), url...)
	}
	if !safeURL(url) {
		_, _ = w.Write(util.EscapeHTML(label))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(url))
	_ = w.WriteByte('"')
	_, _ = w.WriteString(linkRel)
	_ = w.WriteByte('>')
	_, _ = w.Write(util.EscapeHTML(label))
	_, _ = w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

// renderRawHTML shows inline HTML the author typed as text, so <b>hi</b>
// reads exactly as written instead of vanishing.
func (r *nodeRenderer) renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	segs := node.(*ast.RawHTML).Segments
	for i := 0; i < segs.Len(); i++ {
		s := segs.At(i)
		_, _ = w.Write(util.EscapeHTML(s.Value(source)))
	}
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock shows a block of HTML the author typed as a paragraph of
// text.
func (r *nodeRenderer) renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	var text []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		text = append(text, s.Value(source)...)
	}
	if n.HasClosure() {
		text = append(text, n.ClosureLine.Value(source)...)
	}
	text = bytes.TrimRight(text, " \t\r\n")
	if len(text) == 0 {
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString("<p>")
	_, _ = w.Write(util.EscapeHTML(text))
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

// renderMention writes @name as a profile link when profile URLs are
// configured and the URL is one we allow, and as plain text otherwise.
func (r *nodeRenderer) renderMention(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mentionNode)
	written := n.Segment.Value(source)
	if r.mentionURL == nil {
		_, _ = w.Write(util.EscapeHTML(written))
		return ast.WalkContinue, nil
	}
	url := r.mentionURL(string(bytes.ToLower(n.name(source))))
	if !safeURL([]byte(url)) {
		_, _ = w.Write(util.EscapeHTML(written))
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.WriteString(html.EscapeString(url))
	_ = w.WriteByte('"')
	_, _ = w.WriteString(linkRel)
	_, _ = w.WriteString(` class="mention">`)
	_, _ = w.Write(util.EscapeHTML(written))
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// renderImageLabel writes the word that tells screen readers a link stands for an image;
// the stylesheet hides it and draws an icon instead.
func renderImageLabel(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<span class="img-label">Image: </span>`)
	}
	return ast.WalkContinue, nil
}
