// Package markup is the single Markdown → safe HTML pipeline shared by forum
// posts and chat messages: goldmark parses member-written Markdown (CommonMark
// plus GFM), our AST transformer turns images into links and collects
// @mentions, and one bluemonday policy sanitises the result.
package markup

import (
	"bufio"
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options configures a Renderer.
type Options struct {
	// MentionURL, when set, maps a mentioned username to its profile URL ("/u/alice"); @name mentions become links.
	MentionURL func(username string) string
}

// Result is the output of one Render call.
type Result struct {
	// HTML is sanitised and safe to print unescaped.
	HTML string
	// Mentions holds the mentioned usernames, lowercased and deduplicated, in order of first appearance.
	Mentions []string
}

// Renderer turns member-written Markdown into sanitised HTML; safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// bufs holds *renderBuf so a render reuses the buffers of earlier ones.
	bufs sync.Pool
}

// renderBuf is goldmark's output buffer with the bufio.Writer goldmark would
// otherwise allocate (4 KB) on every render because bytes.Buffer is not a
// util.BufWriter.
type renderBuf struct {
	html bytes.Buffer
	w    *bufio.Writer
}

// New builds a Renderer: the goldmark pipeline and the sanitiser policy are
// constructed once here and shared by every Render call.
func New(opts Options) *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			boundedTable{},
			extension.Strikethrough,
			extension.Linkify,
			extension.TaskList,
		),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(mentionParser{}, 500)),
			parser.WithASTTransformers(util.Prioritized(transformer{}, 100)),
		),
		goldmark.WithRendererOptions(
			// Priority below goldmark's default (1000) so these win.
			renderer.WithNodeRenderers(util.Prioritized(newNodeRenderer(opts.MentionURL), 100)),
		),
	)
	return &Renderer{
		md:     md,
		policy: newPolicy(),
		bufs: sync.Pool{New: func() any {
			b := new(renderBuf)
			b.w = bufio.NewWriter(&b.html)
			return b
		}},
	}
}

// Render returns sanitised HTML for src and the usernames mentioned in it
// (deduplicated, lowercased, in order).
func (r *Renderer) Render(src string) Result {
	source := []byte(cleanSource(src))
	pc := parser.NewContext()
	doc := r.md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))

	buf := r.bufs.Get().(*renderBuf)
	defer r.putBuf(buf)
	buf.html.Reset()
	buf.w.Reset(&buf.html)
	if err := r.md.Renderer().Render(buf.w, source, doc); err != nil {
		// Our node renderers never fail and buf never fails to grow, so this
		// is unreachable; show nothing rather than half a document.
		return Result{}
	}
	var out strings.Builder
	out.Grow(buf.html.Len())
	if err := r.policy.SanitizeReaderToWriter(&buf.html, &out); err != nil {
		return Result{} // reading a bytes.Buffer cannot fail: unreachable too
	}

	var mentions []string
	if m, ok := pc.Get(mentionsKey).([]string); ok {
		mentions = m
	}
	return Result{HTML: out.String(), Mentions: mentions}
}

// putBuf returns buf to the pool unless one huge post made it too big to keep.
func (r *Renderer) putBuf(buf *renderBuf) {
	if buf.html.Cap() > 256<<10 {
		return
	}
	r.bufs.Put(buf)
}

// cleanSource makes src valid UTF-8 without NUL bytes (CommonMark §2.3), so
// every later stage, and the HTML we emit, is valid UTF-8.
func cleanSource(src string) string {
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	if strings.IndexByte(src, 0) >= 0 {
		src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	}
	return src
}
