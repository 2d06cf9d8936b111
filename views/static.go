package views

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
)

// Static holds the stylesheet, scripts and icons served under /static/.
//
//go:embed static
var Static embed.FS

// staticVersion is a short hash of the stylesheet, so its URL changes with its content.
var staticVersion = func() string {
	b, _ := Static.ReadFile("static/stoa.css")
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}()

// StylesheetURL is the stylesheet's address; its query changes with its content so
// browsers may cache it for a long time.
var StylesheetURL = "/static/stoa.css?v=" + staticVersion
