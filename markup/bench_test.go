package markup

import (
	"strings"
	"testing"
)

// post1K is a typical forum post of about 1 KB.
func post1K() string {
	return `Hi @alice, thanks for the **detailed** write-up!

I tried the steps from [the guide](https://example.com/guide) and it mostly
worked. Two things I noticed:

1. The config file lives in ` + "`~/.config/stoa`" + `, not ` + "`/etc`" + `.
2. After the upgrade I had to restart *twice* before the cache cleared.

> Make sure you back up the database first.

Good advice. Also, https://example.org/changelog has the full list of
changes, and ~~the old flag~~ is gone now. Screenshot: ![settings page](https://img.example.com/settings.png)

- [x] backed up
- [ ] upgraded the staging box
- [ ] told @bob and @carol

Cheers, and see you in #general. Questions to support@example.com please.
`
}

// post16K is a long post of about 16 KB mixing tables, code and prose.
func post16K() string {
	section := "## Results for run\n\n" +
		"| name | time | allocs | note |\n|:-----|-----:|-------:|:----:|\n" +
		"| parse | 12 ms | 1,024 | *fast* |\n| render | 30 ms | 2,048 | ok |\n| sanitise | 45 ms | 4,096 | **slow** |\n\n" +
		"```go\nfunc Render(src string) Result {\n\tfor i := 0; i < len(src); i++ {\n\t\t_ = src[i] // <b>not html</b>\n\t}\n\treturn Result{}\n}\n```\n\n" +
		"Paragraph with a [link](https://example.com/a?b=c&d=e), `inline code`, @dave and some _emphasis_ to keep the\n" +
		"inline parser busy. Another line follows here with more words to make it realistic.\n\n"
	var b strings.Builder
	for b.Len() < 16<<10 {
		b.WriteString(section)
	}
	return b.String()
}

func BenchmarkRender(b *testing.B) {
	r := newTestRenderer()
	for _, bc := range []struct {
		name, src string
	}{{"1KB", post1K()}, {"16KB", post16K()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.src)))
			b.ReportAllocs()
			for b.Loop() {
				r.Render(bc.src)
			}
		})
	}
}
