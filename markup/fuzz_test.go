package markup

import "testing"

// FuzzRender checks that no input, however malformed, yields markup that can
// run script, embed content or restyle the page, or output that is not valid
// UTF-8, rendered as written or rewritten by an account erasure.
func FuzzRender(f *testing.F) {
	for _, v := range xssVectors() {
		f.Add(v)
	}
	f.Add(post1K())
	r := newTestRenderer()
	f.Fuzz(func(t *testing.T, src string) {
		res := r.Render(src)
		checkSafe(t, src, res.HTML)
		_ = Excerpt(res.HTML, 50)
		// An account erasure rewrites others' text: it must cope with any text, and its
		// result must render as safely.
		out, _ := r.Erase(src, Erasure{Name: "alice", Quoted: func(Quote) bool { return true }})
		checkSafe(t, out, r.Render(out).HTML)
	})
}
