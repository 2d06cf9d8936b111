package markup

import "testing"

// FuzzRender checks that no input, however malformed, yields markup that can
// run script, embed content or restyle the page, or output that is not valid
// UTF-8.
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
	})
}
