package views

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// benchPostHTML is a typical post as stored: Markdown rendered and sanitised at write.
const benchPostHTML = `<p>Thanks for the <strong>detailed</strong> write-up! I tried the steps from <a href="https://example.com/guide" rel="nofollow noopener" target="_blank">the guide</a> and it mostly worked.</p>
<p>Two things I noticed:</p>
<ol>
<li>The config file lives in <code>~/.config/stoa</code>, not <code>/etc</code>.</li>
<li>After the upgrade I had to restart <em>twice</em> before the cache cleared.</li>
</ol>
<blockquote>
<p>Make sure you back up the database first.</p>
</blockquote>
<p>Good advice, and <del>the old flag</del> is gone now.</p>`

// benchThread is one page of a thread: 20 posts, as the forum shows them.
func benchThread(viewer bool) (Page, ThreadData) {
	p := Page{Title: "How do you back up and upgrade your server?", Section: "forum", Feed: "/t/1/feed.atom"}
	d := ThreadData{ID: 1, Title: p.Title, URL: "/t/1/how-do-you-back-up", Author: "member1",
		Category: CategoryItem{Slug: "general", Name: "General"},
		Pager:    Pager{Page: 1, Pages: 3, NextURL: "/t/1/how-do-you-back-up?page=2"},
		Reply:    ReplyForm{Token: "0123456789abcdef0123456789abcdef"}}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range 20 {
		author := fmt.Sprintf("member%d", i%7+1)
		d.Posts = append(d.Posts, Post{ID: int64(i + 1), Number: i + 1, Anchor: fmt.Sprintf("p%d", i+1), Author: author,
			AuthorURL: "/u/" + author, HTML: benchPostHTML, CreatedAt: at.Add(time.Duration(i) * time.Minute)})
	}
	if viewer {
		p.Viewer = &Viewer{Username: "member3", Name: "member3"}
		d.CanReply = true
		for i := range d.Posts {
			d.Posts[i].CanReport = true
			d.Posts[i].QuoteURL = fmt.Sprintf("%s?page=last&quote=%d#reply", d.URL, d.Posts[i].ID)
		}
	} else {
		d.ReplyReason = "Log in or create an account to reply. Reading needs no account and sets no cookie."
	}
	return p, d
}

// BenchmarkThread renders a 20-post thread page from its view structs, for an anonymous
// reader and for a logged-in member (reply form and per-post actions).
func BenchmarkThread(b *testing.B) {
	for _, bc := range []struct {
		name   string
		viewer bool
	}{{"anonymous", false}, {"member", true}} {
		b.Run(bc.name, func(b *testing.B) {
			p, d := benchThread(bc.viewer)
			ctx := templ.WithNonce(context.Background(), "bm9uY2Vub25jZW5vbmNl")
			var buf bytes.Buffer
			if err := Thread(p, d).Render(ctx, &buf); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := Thread(p, d).Render(ctx, &buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
