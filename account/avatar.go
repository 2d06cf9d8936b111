package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"time"

	"golang.org/x/image/draw"

	"stoa/storage"
	"stoa/web"
)

// Avatars are drawn or uploaded here, never fetched from another site (P2): a member
// without a picture gets one drawn from their username, and an uploaded picture is
// decoded and encoded again on the server, so that nothing of the file but its pixels is
// kept: no camera, place or time (EXIF, GPS), no comments, no colour-profile quirks.

// Limits on uploaded pictures. A phone photo fits in MaxAvatarUpload; decoding is refused
// beyond maxAvatarPixels, before any pixel is decoded, so a small file that claims to be
// enormous cannot exhaust memory.
const (
	AvatarSize      = 256     // stored pictures are at most this many pixels a side
	MaxAvatarUpload = 5 << 20 // bytes in the uploaded file
	maxAvatarPixels = 24e6
)

// Avatar is a member's uploaded picture as stored: PNG or JPEG, square, metadata-free.
type Avatar struct {
	ContentType string
	Image       []byte
	UpdatedAt   time.Time
}

var (
	errAvatarMissing  = web.Invalid("avatar", "Choose a picture to upload (PNG or JPEG).")
	errAvatarTooLarge = web.Invalid("avatar", fmt.Sprintf("That file is larger than %d MB. Choose a smaller picture.", MaxAvatarUpload>>20))
	errAvatarKind     = web.Invalid("avatar", "Only PNG and JPEG pictures can be used. Save the picture in one of those formats and try again.")
	errAvatarBroken   = web.Invalid("avatar", "That file could not be read as a picture. It may be damaged; try another.")
	errAvatarHuge     = web.Invalid("avatar", "That picture has too many pixels to process. Make it smaller (under 24 megapixels) and try again.")
	errAvatarTiny     = web.Invalid("avatar", "That picture is too small. Use one at least 16 pixels wide and high.")
)

// PrepareAvatar turns an uploaded file into the picture Stoa stores: it must be PNG or
// JPEG; it is cropped to a centred square, scaled down to AvatarSize, and encoded anew
// in the same format.
func PrepareAvatar(data []byte) (Avatar, error) {
	if len(data) == 0 {
		return Avatar{}, errAvatarMissing
	}
	if len(data) > MaxAvatarUpload {
		return Avatar{}, errAvatarTooLarge
	}
	kind := http.DetectContentType(data)
	var cfg image.Config
	var err error
	switch kind {
	case "image/png":
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case "image/jpeg":
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	default:
		return Avatar{}, errAvatarKind
	}
	switch {
	case err != nil:
		return Avatar{}, errAvatarBroken.Because(err)
	case float64(cfg.Width)*float64(cfg.Height) > maxAvatarPixels:
		return Avatar{}, errAvatarHuge
	case cfg.Width < 16 || cfg.Height < 16:
		return Avatar{}, errAvatarTiny
	}
	var src image.Image
	if kind == "image/png" {
		src, err = png.Decode(bytes.NewReader(data))
	} else {
		src, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Avatar{}, errAvatarBroken.Because(err)
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2, 0, 0)
	crop.Max = crop.Min.Add(image.Pt(side, side))
	out := min(side, AvatarSize)
	dst := image.NewRGBA(image.Rect(0, 0, out, out))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	var buf bytes.Buffer
	if kind == "image/png" {
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		err = enc.Encode(&buf, dst)
	} else {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 88})
	}
	if err != nil {
		return Avatar{}, fmt.Errorf("account: encode avatar: %w", err)
	}
	return Avatar{ContentType: kind, Image: buf.Bytes()}, nil
}

// SetAvatar stores an uploaded picture as the member's avatar.
func (s *Service) SetAvatar(ctx context.Context, userID int64, data []byte) error {
	if err := s.MayUploadAvatar(ctx, userID); err != nil {
		return err
	}
	a, err := PrepareAvatar(data)
	if err != nil {
		return err
	}
	a.UpdatedAt = s.now().UTC().Truncate(time.Second)
	return s.store.db.Write(ctx, func(tx *storage.Tx) error { return s.store.saveAvatar(tx, userID, a) })
}

// RemoveAvatar deletes the member's picture: the one drawn from their username is shown
// again.
func (s *Service) RemoveAvatar(ctx context.Context, userID int64) error {
	return s.store.db.Write(ctx, func(tx *storage.Tx) error { return s.store.deleteAvatar(tx, userID) })
}

// AvatarOf returns the picture an active member uploaded, or storage.ErrNotFound when
// they have none.
func (s *Service) AvatarOf(ctx context.Context, username string) (*Avatar, error) {
	return s.store.avatarOf(ctx, username)
}

// DrawnAvatar is the picture of a member who uploaded none: a symmetric five-by-five
// pattern in a colour, both worked out from the username, so it is the same everywhere
// and needs no request to another site. A former member's is plain grey.
func DrawnAvatar(username string) []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="64" height="64" shape-rendering="crispEdges">`)
	if username == FormerMember || username == "" {
		b.WriteString(`<rect width="10" height="10" fill="#8a8f98"/><circle cx="5" cy="3.8" r="1.8" fill="#e9ebee"/><path d="M1.8 10a3.2 3.2 0 0 1 6.4 0z" fill="#e9ebee"/></svg>`)
		return []byte(b.String())
	}
	sum := sha256.Sum256([]byte(strings.ToLower(username)))
	hue := (int(sum[0])<<8 | int(sum[1])) % 360
	fmt.Fprintf(&b, `<rect width="10" height="10" fill="hsl(%d 45%% 92%%)"/><g fill="hsl(%d 55%% 42%%)">`, hue, hue)
	// Fifteen bits pick the cells of the left three columns; the right two mirror them.
	bits := uint32(sum[2]) | uint32(sum[3])<<8
	for col := 0; col < 3; col++ {
		for row := 0; row < 5; row++ {
			if bits&(1<<(col*5+row)) == 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="2" height="2"/>`, col*2, row*2)
			if col < 2 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="2" height="2"/>`, 8-col*2, row*2)
			}
		}
	}
	b.WriteString(`</g></svg>`)
	return []byte(b.String())
}

// MayUploadAvatar refuses a member who may not post: a silenced member may not change
// what others see of them either.
func (s *Service) MayUploadAvatar(ctx context.Context, userID int64) error {
	err := s.restrictions.CanPost(ctx, userID)
	if err == nil || web.AsError(err) != nil {
		return err
	}
	return web.Refused(http.StatusForbidden, "You cannot change your picture while your account is restricted: "+err.Error()).Because(err)
}
