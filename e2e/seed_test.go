package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"stoa/account"
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
	carol := site.Member(t, "carol", "member")
	dave := site.Member(t, "dave", "moderator")
	alice.PostForm("/admin/site", url.Values{"name": {"Allotment Friends"},
		"description": {"Growing food together: plots, seeds, harvests and the odd slug."}})
	alice.PostForm("/admin/categories", url.Values{"name": {"Seeds and plants"}, "description": {"What to grow, where to find it, what to swap."}})
	alice.PostForm("/chat/admin/rooms/general", url.Values{"name": {"General"}, "topic": {"Say hello and talk about anything on the plots."}})
	alice.PostForm("/chat/admin/rooms", url.Values{"slug": {"seed-swap"}, "name": {"Seed swap"}, "topic": {"Offer and find seeds."}})
	uploadPicture(t, site, bob)
	thread := post(alice, "Welcome to the community",
		"Hi everyone! This is the place to talk about **anything**.\n\nA few tips:\n\n- Be kind\n- Search before you post\n- Use `code` for snippets\n\n| Channel | Use |\n|---|---|\n| Forum | long-form |\n| Chat | quick questions |")
	reply(bob, thread, "Thanks @alice! Glad to be here.\n\n> Search before you post\n\nWill do.")
	reply(alice, thread, "Welcome, bob. Have a look at the chat too.")
	reply(carol, thread, "Hello all! First year on plot 14, so expect many questions.")
	post(bob, "How do I back up my server?", "I run Stoa on a small VPS. What is the safest way to take a backup while it is running?")
	spam := post(carol, "Cheap seeds!!! click here", "Best prices on seeds, visit my shop now, limited offer!")
	post(alice, "Release notes for 1.2", "Version 1.2.0 is out with faster search and Atom feeds.")

	// Reactions on the welcome thread.
	firstPost := postIDs(t, site, thread)
	for _, r := range []struct {
		c    *stoatest.Client
		post int
		kind string
	}{{bob, 0, "heart"}, {carol, 0, "heart"}, {carol, 0, "hooray"}, {dave, 0, "like"}, {alice, 1, "like"}, {alice, 3, "heart"}} {
		r.c.PostForm(fmt.Sprintf("/p/%d/react", firstPost[r.post]), url.Values{"kind": {r.kind}, "on": {"1"}})
	}

	// A conversation in chat, and news in another room.
	for _, c := range []*stoatest.Client{alice, bob, carol, dave} {
		c.PostForm("/chat/general/ack", nil)
		c.PostForm("/chat/seed-swap/ack", nil)
	}
	say := func(c *stoatest.Client, room, body string) {
		c.PostForm("/chat/"+room+"/messages", url.Values{"body": {body}, "token": {account.NewToken()}})
	}
	say(alice, "general", "Morning all! Frost tonight, cover your seedlings.")
	alice.Get("/chat/general") // alice has read chat up to here: seed-swap's news will be unread
	say(bob, "general", "Thanks @alice, fleece is on.")
	say(bob, "general", "Does anyone have spare canes?")
	say(carol, "general", "I have a bundle by the shed, help yourself :)")
	say(dave, "general", "Reminder: the water troughs are off until March.")
	say(alice, "general", "Good to know, thanks **dave**.")
	say(bob, "seed-swap", "Offering: Sungold tomato seeds, about 40.")
	say(carol, "seed-swap", "Looking for runner beans, any variety.")
	say(carol, "general", "Buy cheap seeds at my shop, link in bio!!!")

	// Reports for the moderators' queue.
	var spamID int64
	if _, err := fmt.Sscanf(spam, "/t/%d/", &spamID); err != nil {
		t.Fatalf("spam thread path %q: %v", spam, err)
	}
	spamPost := postIDs(t, site, spam)[0]
	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {fmt.Sprint(spamPost)}, "reason": {"spam"}, "details": {"Advertising, not a member's question."}})
	alice.PostForm("/report", url.Values{"kind": {"post"}, "id": {fmt.Sprint(spamPost)}, "reason": {"spam"}})
	var msg int64
	if err := site.App.DB().Read().QueryRow("select max(id) from chat_messages").Scan(&msg); err != nil {
		t.Fatal(err)
	}
	bob.PostForm("/report", url.Values{"kind": {"message"}, "id": {fmt.Sprint(msg)}, "reason": {"spam"}, "details": {"Same shop again."}})
}

// postIDs returns the ids of a thread's posts, first to last.
func postIDs(t *testing.T, site *stoatest.Site, threadPath string) []int64 {
	t.Helper()
	var thread int64
	fmt.Sscanf(threadPath, "/t/%d/", &thread)
	rows, err := site.App.DB().Read().Query("select id from posts where thread_id = ? order by number", thread)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// uploadPicture gives c's member an uploaded picture: a few soft colour bands.
func uploadPicture(t *testing.T, site *stoatest.Site, c *stoatest.Client) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 128, 128))
	for y := range 128 {
		for x := range 128 {
			img.Set(x, y, color.NRGBA{uint8(90 + x/2), uint8(140 + y/3), uint8(110 + (x+y)/4), 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	fw.Write(buf.Bytes())
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, site.URL+"/me/avatar", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", site.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload picture: status %d", resp.StatusCode)
	}
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
