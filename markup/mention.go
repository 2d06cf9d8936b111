package markup

import (
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Username length limits for @mentions, matching account names.
const (
	minNameLen = 2
	maxNameLen = 32
)

// kindMention is the AST kind of an @mention. It is assigned once at init and
// never changes.
var kindMention = ast.NewNodeKind("Mention")

// mentionNode is an @name found in running text. Segment covers "@name" in
// the source, so the node can be turned back into plain text.
type mentionNode struct {
	ast.BaseInline
	Segment text.Segment
}

// Kind implements ast.Node.
func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

// Dump implements ast.Node.
func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": string(n.name(source))}, nil)
}

// name returns the username as written, without the "@".
func (n *mentionNode) name(source []byte) []byte {
	return n.Segment.Value(source)[1:]
}

// mentionParser recognises @name in inline text. Code spans, code blocks,
// autolinks and link destinations never reach it because their own parsers
// consume them first; mentions inside link text are undone by transformer.
type mentionParser struct{}

// Trigger implements parser.InlineParser.
func (mentionParser) Trigger() []byte { return []byte{'@'} }

// Parse implements parser.InlineParser.
func (mentionParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	// A letter or digit, or something that glues words together, right
	// before the "@" means an email address (a@b.com) or some other token,
	// not a mention. "_" and "~" are left out so _@alice_ and ~~@alice~~
	// still mention.
	prev := block.PrecendingCharacter()
	if isLetterOrDigit(prev) || isGlue(prev) {
		return nil
	}
	line, seg := block.PeekLine()
	i := 1
	for i < len(line) && isNameByte(line[i]) {
		i++
	}
	if prev == '_' {
		// _@alice_ is an emphasised mention: leave the closing "_" to the
		// emphasis parser.
		for i > 1 && line[i-1] == '_' {
			i--
		}
	}
	if n := i - 1; n < minNameLen || n > maxNameLen {
		return nil
	}
	if i < len(line) {
		next, _ := utf8.DecodeRune(line[i:])
		switch {
		case next == '@':
			// @alice@example.com: an address, not a mention.
			return nil
		case next == '.' && i+1 < len(line) && isNameByte(line[i+1]):
			// @example.com: a domain, not a mention.
			return nil
		case isLetterOrDigit(next):
			// @alicé: the name runs on with letters we do not allow.
			return nil
		}
	}
	block.Advance(i)
	return &mentionNode{Segment: text.NewSegment(seg.Start, seg.Start+i)}
}

// isNameByte reports whether c may appear in a username.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// isLetterOrDigit reports whether r is a letter or digit in any script.
func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isGlue reports whether r, right before "@", makes the "@" part of a larger
// token such as an address (first.last@, a+tag@, a-b@) or a path (/@name).
func isGlue(r rune) bool {
	switch r {
	case '.', '+', '-', '@', '/', '\\', '=', '&', '%', ':':
		return true
	}
	return false
}
