package markup

import (
	"strings"
	"testing"
)

// xssVectors are classic script-injection attempts written into Markdown.
func xssVectors() []string {
	return []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<IMG SRC="javascript:alert('XSS');">`,
		`<svg onload=alert(1)>`,
		`<svg><script>alert(1)</script></svg>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<iframe src="javascript:alert(1)"></iframe>`,
		`<object data="evil.swf"></object><embed src="evil.swf">`,
		`<style>body{display:none}</style>`,
		`<div onmouseover="alert(1)">hover me</div>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="&#x6A;avascript:alert(1)">x</a>`,
		`[x](javascript:alert(1))`,
		`[x](JaVaScRiPt:alert(1))`,
		`[x](java&#115;cript:alert(1))`,
		`[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))`,
		`[x](javascript&colon;alert(1))`,
		`[x](java%73cript:alert(1))`,
		"[x](<java\tscript:alert(1)>)",
		"[x](<\x01javascript:alert(1)>)",
		`[x](<javascript:alert(1)>)`,
		`[x](vbscript:msgbox(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`![x](data:image/png;base64,iVBORw0KGgo=)`,
		`![x](javascript:alert(1))`,
		`<javascript:alert(1)>`,
		"[x]: javascript:alert(1)\n\n[x]",
		`[x](/a "\"><script>alert(1)</script>")`,
		`[x](/a" onmouseover="alert(1))`,
		`https://example.com/"onmouseover="alert(1)`,
		"`<script>alert(1)</script>`",
		"```html\n<script>alert(1)</script>\n```",
		"```\"><script>alert(1)</script>\nx\n```",
		`<a href="x" style="position:fixed;top:0">overlay</a>`,
		"<!-- <script>alert(1)</script> -->",
		"<![CDATA[<script>alert(1)</script>]]>",
		`<form action="javascript:alert(1)"><button>go</button></form>`,
	}
}

func TestXSSVectors(t *testing.T) {
	r := newTestRenderer()
	for _, src := range xssVectors() {
		out := r.Render(src).HTML
		checkSafe(t, src, out)
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Errorf("Render(%q) = %q: contains <script", src, out)
		}
	}
}
