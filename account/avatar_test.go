package account_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"stoa/account"
)

// secret is what a camera or an editor leaves in a picture: where and when it was taken.
const secret = "GPS 51.5074N 0.1278W taken 2026-05-01 by Pixel 9"

func testPicture(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

// jpegWithExif is a JPEG with an EXIF segment holding secret, as phones write them.
func jpegWithExif(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testPicture(w, h), nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), secret...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// pngWithText is a PNG with a tEXt chunk holding secret.
func pngWithText(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testPicture(w, h)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	data := append([]byte("Comment\x00"), secret...)
	chunk := make([]byte, 4, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = binary.BigEndian.AppendUint32(chunk, crc)
	ihdrEnd := 8 + 25 // signature, then IHDR: length, type, 13 bytes, CRC
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}

// An uploaded picture keeps its pixels and nothing else: the metadata is gone, it is a
// square of at most AvatarSize, and in the format it came in.
func TestPrepareAvatarStripsMetadata(t *testing.T) {
	for _, c := range []struct {
		name, kind string
		data       []byte
		side       int
	}{
		{"jpeg with EXIF", "image/jpeg", jpegWithExif(t, 640, 480), 256},
		{"png with text", "image/png", pngWithText(t, 100, 140), 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(c.data, []byte(secret)) {
				t.Fatal("the test picture carries no metadata")
			}
			a, err := account.PrepareAvatar(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(a.Image, []byte(secret)) || bytes.Contains(a.Image, []byte("Exif")) || bytes.Contains(a.Image, []byte("tEXt")) {
				t.Error("the stored picture still carries metadata")
			}
			if a.ContentType != c.kind {
				t.Errorf("stored as %s", a.ContentType)
			}
			img, _, err := image.Decode(bytes.NewReader(a.Image))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != c.side || b.Dy() != c.side {
				t.Errorf("stored picture is %dx%d, want %dx%d", b.Dx(), b.Dy(), c.side, c.side)
			}
		})
	}
}

// Anything but a sound PNG or JPEG of a sensible size is refused with a message that
// says what to do.
func TestPrepareAvatarRefusesOtherFiles(t *testing.T) {
	var g bytes.Buffer
	gif.Encode(&g, testPicture(32, 32), nil)
	// A PNG header that claims 20000×20000 pixels, with no pixel data behind it.
	huge := pngWithText(t, 32, 32)
	binary.BigEndian.PutUint32(huge[16:], 20000)
	binary.BigEndian.PutUint32(huge[20:], 20000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "Choose a picture"},
		{"gif", g.Bytes(), "Only PNG and JPEG"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "Only PNG and JPEG"},
		{"truncated jpeg", jpegWithExif(t, 64, 64)[:300], "could not be read"},
		{"enormous", huge, "too many pixels"},
		{"tiny", pngWithText(t, 8, 8), "too small"},
		{"too large", append(jpegWithExif(t, 64, 64), make([]byte, account.MaxAvatarUpload)...), "larger than 5 MB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := account.PrepareAvatar(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a refusal saying %q", err, c.want)
			}
		})
	}
}

// A drawn picture depends only on the username, differs between members, and is plain
// SVG that loads nothing.
func TestDrawnAvatarIsStableAndSelfContained(t *testing.T) {
	a, b := account.DrawnAvatar("alice"), account.DrawnAvatar("Alice")
	if !bytes.Equal(a, b) {
		t.Error("the same name, differently cased, draws different pictures")
	}
	if bytes.Equal(a, account.DrawnAvatar("bob")) {
		t.Error("alice and bob have the same picture")
	}
	s := string(a)
	if strings.Count(s, "http") != 1 || !strings.Contains(s, `xmlns="http://www.w3.org/2000/svg"`) || strings.Contains(s, "href") || strings.Contains(s, "<script") {
		t.Errorf("the drawn picture refers to something outside itself: %s", s)
	}
}

// BenchmarkPrepareAvatar measures what one upload of a 12-megapixel phone photo costs
// the server: decoding, cropping, scaling to 256 px and encoding again.
func BenchmarkPrepareAvatar(b *testing.B) {
	data := jpegWithExif(b, 4000, 3000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.PrepareAvatar(data); err != nil {
			b.Fatal(err)
		}
	}
}
