package markup

import (
	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxTableCells bounds columns × rows of one GFM table. The table extension
// pads every row to the header's width, so without a bound a 26 KB post of
// 5,000 columns and 2,000 one-character rows renders 100 MB of HTML and takes
// 20 s. A real table has at most one cell per two bytes of source, so this
// admits any honest table in a 32 KB post.
const maxTableCells = 16 << 10

// boundedTable is goldmark's GFM table extension, wired up by hand so its
// paragraph transformer can be wrapped by boundedTableTransformer. Priorities
// are the extension's own.
type boundedTable struct{}

// Extend implements goldmark.Extender.
func (boundedTable) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithParagraphTransformers(util.Prioritized(boundedTableTransformer{extension.NewTableParagraphTransformer()}, 200)),
		parser.WithASTTransformers(util.Prioritized(extension.NewTableASTTransformer(), 0)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(
		// renderTableCell (priority 100) writes the cells; alignment is a class there.
		extension.NewTableHTMLRenderer(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), 500)))
}

// boundedTableTransformer leaves a paragraph as plain text when any table it
// could become would exceed maxTableCells.
type boundedTableTransformer struct {
	inner parser.ParagraphTransformer
}

// Transform implements parser.ParagraphTransformer.
func (t boundedTableTransformer) Transform(node *gast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	source := reader.Source()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		cols := delimiterColumns(seg.Value(source))
		rows := lines.Len() - i // the header plus every line after the delimiter
		if cols > 0 && cols*rows > maxTableCells {
			return
		}
	}
	t.inner.Transform(node, reader, pc)
}

// renderTableCell writes <th>/<td> with its column's alignment, as the table
// extension's own renderer does, without the fmt.Fprintf calls that made it one of the
// largest sources of allocations in a long post. Authors cannot set cell
// attributes (the attribute syntax is off), so alignment is the only one.
func renderTableCell(w util.BufWriter, _ []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	n := node.(*east.TableCell)
	header := n.Parent() != nil && n.Parent().Kind() == east.KindTableHeader
	if !entering {
		if header {
			_, _ = w.WriteString("</th>\n")
		} else {
			_, _ = w.WriteString("</td>\n")
		}
		return gast.WalkContinue, nil
	}
	if header {
		_, _ = w.WriteString("<th")
	} else {
		_, _ = w.WriteString("<td")
	}
	// A class, not align="…": the stylesheet's own text-align on cells would override
	// the old presentational attribute, so right-aligned columns rendered left.
	switch n.Alignment {
	case east.AlignLeft:
		_, _ = w.WriteString(` class="align-left"`)
	case east.AlignCenter:
		_, _ = w.WriteString(` class="align-center"`)
	case east.AlignRight:
		_, _ = w.WriteString(` class="align-right"`)
	}
	_ = w.WriteByte('>')
	return gast.WalkContinue, nil
}

// delimiterColumns returns how many columns line declares if it may be a
// table delimiter row ("|:--|--:|"), and 0 if it cannot be one. It errs on
// the side of counting: the table extension checks the row properly.
func delimiterColumns(line []byte) int {
	pipes, dashes := 0, false
	for _, c := range line {
		switch c {
		case '|':
			pipes++
		case '-':
			dashes = true
		case ':', ' ', '\t', '\r', '\n':
		default:
			return 0
		}
	}
	if !dashes {
		return 0
	}
	return pipes + 1
}
