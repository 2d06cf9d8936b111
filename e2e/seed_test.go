package e2e

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"stoa/internal/stoatest"
)

// seed fills a site with a small, realistic conversation for screenshots.
func seed(t *testing.T, site *stoatest.Site) {
	t.Helper()
	alice := site.Member(t, "alice", "admin")
	bob := site.Member(t, "bob", "member")
	post := func(c *stoatest.Client, title, body string) string {
		tok := c.FormToken("/c/general/new")
		c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
		return c.Path()
	}
	reply := func(c *stoatest.Client, thread, body string) {
		doc := c.Doc(thread, 200)
		action, _ := doc.Find("form#reply").Attr("action")
		tok, _ := doc.Find(`form#reply input[name="token"]`).Attr("value")
		c.PostForm(action, url.Values{"body": {body}, "token": {tok}})
	}
	thread := post(alice, "Welcome to the community",
		"Hi everyone! This is the place to talk about **anything**.\n\nA few tips:\n\n- Be kind\n- Search before you post\n- Use `code` for snippets\n\n| Channel | Use |\n|---|---|\n| Forum | long-form |\n| Chat | quick questions |")
	reply(bob, thread, "Thanks @alice! Glad to be here.\n\n> Search before you post\n\nWill do.")
	reply(alice, thread, "Welcome, bob. Have a look at the chat too.")
	post(bob, "How do I back up my server?", "I run Stoa on a small VPS. What is the safest way to take a backup while it is running?")
	post(alice, "Release notes for 1.2", "Version 1.2.0 is out with faster search and Atom feeds.")
}

// setScheme makes the page render in the light or dark colour scheme.
func setScheme(tb *tab, scheme string) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}
