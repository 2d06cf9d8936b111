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

// staticURL is the address of a file under static/ with a short hash of its content in
// the query, so browsers may cache it for long and still get each new version.
func staticURL(name string) string {
	b, _ := Static.ReadFile("static/" + name)
	sum := sha256.Sum256(b)
	return "/static/" + name + "?v=" + hex.EncodeToString(sum[:4])
}

// ComposerScriptURL is the composer's script: toolbar, live preview and drafts.
var ComposerScriptURL = staticURL("composer.js")

// ModQueueScriptURL is the moderation keys' script: j/k/x/o in the queue, a to apply.
var ModQueueScriptURL = staticURL("modqueue.js")
