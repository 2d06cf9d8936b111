package markup

import (
	"bytes"
	"slices"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// mentionsKey carries the usernames found by transformer out of a parse. It
// is assigned once at init and never changes.
var mentionsKey = parser.NewContextKey()

// kindImageLabel is the AST kind of the word that tells screen readers a link stands
// for an image; it is assigned once at init and never changes. Others see an icon that
// the stylesheet draws before the link (an emoji is an empty box without an emoji font).
var kindImageLabel = ast.NewNodeKind("ImageLabel")

// imageLabel renders as <span class="img-label">Image: </span>, hidden on screen.
type imageLabel struct{ ast.BaseInline }

// Kind implements ast.Node.
func (n *imageLabel) Kind() ast.NodeKind { return kindImageLabel }

// Dump implements ast.Node.
func (n *imageLabel) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// transformer rewrites the parsed document before rendering:
//   - every image becomes a link to the image's URL labelled with its alt
//     text (class="img-link"), so readers' browsers never fetch third-party
//     images and leak their IP addresses; an image inside a link becomes
//     just its label, because links cannot nest, and marks that link as an
//     image link; either way "Image:" before the label tells screen readers;
//   - an @mention inside link text becomes plain text again, for the same
//     reason;
//   - the remaining mentions are collected, lowercased and deduplicated,
//     into the parser context under mentionsKey.
type transformer struct{}

// Transform implements parser.ASTTransformer.
func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var images []*ast.Image
	var mentions []*mentionNode
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			images = append(images, n)
		case *mentionNode:
			mentions = append(mentions, n)
		}
		return ast.WalkContinue, nil
	})
	// Pre-order: an outer image is rewritten before any image in its alt
	// text, so the inner one then sees the new link as its ancestor.
	for _, img := range images {
		imageToLink(img)
	}

	source := reader.Source()
	var names []string
	for _, m := range mentions {
		if inLink(m) {
			m.Parent().ReplaceChild(m.Parent(), m, ast.NewTextSegment(m.Segment))
			continue
		}
		name := string(bytes.ToLower(m.name(source)))
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if names != nil {
		pc.Set(mentionsKey, names)
	}
}

// imageToLink replaces img in its parent with a link to the image's URL, or
// with its bare label when it already sits inside a link, which is then marked
// as an image link.
func imageToLink(img *ast.Image) {
	parent := img.Parent()
	if inLink(img) {
		if link := enclosingLink(img); link != nil {
			link.SetAttributeString("class", []byte("img-link"))
		}
		parent.InsertBefore(parent, img, &imageLabel{})
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
		return
	}
	link := ast.NewLink()
	link.Destination = img.Destination
	link.Title = img.Title
	link.SetAttributeString("class", []byte("img-link"))
	link.AppendChild(link, &imageLabel{})
	for c := img.FirstChild(); c != nil; {
		next := c.NextSibling()
		link.AppendChild(link, c)
		c = next
	}
	parent.ReplaceChild(parent, img, link)
}

// enclosingLink returns the link n sits in, or nil (an autolink holds no images).
func enclosingLink(n ast.Node) *ast.Link {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if l, ok := p.(*ast.Link); ok {
			return l
		}
	}
	return nil
}

// inLink reports whether n sits inside a link or autolink.
func inLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.Kind() {
		case ast.KindLink, ast.KindAutoLink:
			return true
		}
	}
	return false
}
