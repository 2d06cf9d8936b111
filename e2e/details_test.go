package e2e

import (
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// Columns a table aligns right or centre (GFM "--:" and ":-:") render that way in the
// browser (issue 16, point 7).
func TestTableColumnsAlignInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"Prices"}, "token": {tok},
		"body": {"| Item | Price | Stock |\n|:--|--:|:-:|\n| Tea | 3.50 | yes |\n| Coffee | 12.00 | no |"}})
	thread := alice.Path()
	tb := newBrowser(t).tab(site)
	tb.open(thread)
	align := func(css string) string {
		return eval[string](tb, `getComputedStyle(document.querySelector('`+css+`')).textAlign`)
	}
	for css, want := range map[string]string{
		".prose table tbody tr td:nth-child(1)": "left",
		".prose table tbody tr td:nth-child(2)": "right",
		".prose table thead th:nth-child(2)":    "right",
		".prose table tbody tr td:nth-child(3)": "center",
	} {
		if got := align(css); got != want {
			t.Errorf("%s is aligned %q, want %q", css, got, want)
		}
	}
	if strings.Contains(eval[string](tb, `document.querySelector('.prose table').outerHTML`), "style=") {
		t.Error("the table carries inline styles; the sanitiser allows none")
	}
}
