package server_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

const photoSecret = "GPS 48.8584N 2.2945E Eiffel"

// photo is a phone-sized JPEG carrying an EXIF segment with a place in it.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			// Noise, like a photo's grain: it keeps the file as large as a real one.
			img.Set(x, y, color.NRGBA{uint8(x + rnd.IntN(64)), uint8(y + rnd.IntN(64)), uint8(rnd.IntN(256)), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), photoSecret...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	b := buf.Bytes()
	return append(append(append(append([]byte{}, b[:2]...), seg...), payload...), b[2:]...)
}

// uploadAvatar sends a picture through the form on /me/avatar, as a browser would.
func uploadAvatar(t *testing.T, site *stoatest.Site, c *stoatest.Client, name string, data []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("avatar", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, site.URL+"/me/avatar", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", site.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	c.Last, c.Body = resp, b.String()
}

// A member uploads a phone photo as their picture: it is stored without its metadata,
// shown beside their posts and chat messages, in their export, and gone when they delete
// their account. Members without one get a picture drawn from their name; nothing comes
// from another site, and a reader fetching pictures gets no cookie.
func TestAvatarUploadShownExportedAndErased(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	ann := site.Member(t, "ann", account.RoleMember)
	site.Member(t, "ben", account.RoleMember)

	big := photo(t, 1600, 1200)
	if len(big) < 1<<20 {
		t.Fatalf("the test photo is only %d bytes; it should be larger than a form", len(big))
	}
	uploadAvatar(t, site, ann, "me.jpg", big)
	if ann.Last.StatusCode != http.StatusOK || !strings.Contains(ann.Body, "Your new picture is saved") {
		t.Fatalf("upload: status %d\n%.600s", ann.Last.StatusCode, ann.Body)
	}

	anon := site.Anonymous(t)
	resp := anon.Get("/avatar/ann")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("ann's picture: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(anon.Body, photoSecret) || strings.Contains(anon.Body, "Exif") {
		t.Error("the served picture still carries the photo's metadata")
	}
	if cfg, _, err := image.DecodeConfig(strings.NewReader(anon.Body)); err != nil || cfg.Width != 256 || cfg.Height != 256 {
		t.Errorf("served picture: %+v %v", cfg, err)
	}
	if len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("fetching a picture set a cookie")
	}
	resp = anon.Get("/avatar/ben")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(anon.Body, "<svg") {
		t.Errorf("ben's drawn picture: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	thread := post(t, ann, "Hello", "My first post.")
	chatSay(t, site, ann, "general", "Hello chat")
	for _, page := range []string{thread, "/chat/general", "/u/ann"} {
		doc := anon.Doc(page, http.StatusOK)
		if doc.Find(`img.avatar[src="/avatar/ann"]`).Length() == 0 {
			t.Errorf("%s shows no picture of ann", page)
		}
	}

	// Refusals keep the page and say what to do.
	uploadAvatar(t, site, ann, "anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	if ann.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ann.Body, "Only PNG and JPEG") {
		t.Errorf("a GIF: status %d", ann.Last.StatusCode)
	}
	uploadAvatar(t, site, ann, "huge.jpg", append(photo(t, 64, 64), make([]byte, account.MaxAvatarUpload)...))
	if ann.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ann.Body, "larger than 5 MB") {
		t.Errorf("a 5 MB file: status %d\n%.300s", ann.Last.StatusCode, ann.Body)
	}

	ann.Get("/me/export")
	files := unzip(t, []byte(ann.Body))
	if _, ok := files["avatar.jpg"]; !ok || !strings.Contains(files["avatar.json"], `"content_type": "image/jpeg"`) {
		t.Errorf("the export lacks the picture (files %v)", keys(files))
	}
	if !strings.Contains(files["settings.json"], `"watch_threads_i_reply_to": true`) {
		t.Errorf("the export lacks the member's settings: %q", files["settings.json"])
	}

	ann.PostForm("/me/delete", url.Values{"password": {"password-ann"}, "content": {"anonymise"}})
	if !strings.Contains(ann.Body, "deleted") {
		t.Fatalf("delete: status %d", ann.Last.StatusCode)
	}
	var n int
	queryRow(t, site, "select count(*) from avatars", nil, &n)
	if n != 0 {
		t.Errorf("%d pictures are left after ann deleted her account", n)
	}
	resp = anon.Get("/avatar/ann")
	if resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("after deletion ann's address serves %s", resp.Header.Get("Content-Type"))
	}
}

// A member can take their picture back, and the drawn one shows again.
func TestAvatarCanBeRemoved(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	ann := site.Member(t, "ann", account.RoleMember)
	uploadAvatar(t, site, ann, "me.jpg", photo(t, 300, 300))
	ann.PostForm("/me/avatar/remove", nil)
	if !strings.Contains(ann.Body, "pattern drawn from your username is shown again") {
		t.Fatalf("remove: status %d", ann.Last.StatusCode)
	}
	if resp := ann.Get("/avatar/ann"); resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("after removal: %s", resp.Header.Get("Content-Type"))
	}
}
