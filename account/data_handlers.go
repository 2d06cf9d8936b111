package account

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"stoa/views"
	"stoa/web"
)

// The member's data rights (P15): the export and the account deletion.

func (h *Handlers) export(w http.ResponseWriter, r *http.Request, u *User) {
	// Build the first bytes before committing to a 200, so that a failure to load the
	// account still gets an error page; past that point the archive streams.
	var head bytes.Buffer
	pw := &prefixWriter{buf: &head, limit: 32 << 10, w: w, start: func() {
		hd := w.Header()
		hd.Set("Content-Type", "application/zip")
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="stoa-%s-%s.zip"`, u.Username, h.svc.now().UTC().Format("2006-01-02")))
		hd.Set("Cache-Control", "no-store")
	}}
	if err := h.svc.Export(r.Context(), u.ID, pw); err != nil {
		if !pw.started {
			h.web.Fail(w, r, err)
			return
		}
		// Headers are sent; the archive is cut short, which unzip reports, and the log says why.
		if h.web.Log != nil {
			h.web.Log.Error("export failed midway", "user", u.ID, "err", err)
		}
		return
	}
	pw.Flush()
}

// prefixWriter holds the first bytes of a response until limit, then streams.
type prefixWriter struct {
	buf     *bytes.Buffer
	limit   int
	w       io.Writer
	start   func()
	started bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if !p.started && p.buf.Len()+len(b) <= p.limit {
		return p.buf.Write(b)
	}
	if err := p.Flush(); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// Flush sends the held bytes, starting the response.
func (p *prefixWriter) Flush() error {
	if !p.started {
		p.started = true
		p.start()
		if _, err := p.w.Write(p.buf.Bytes()); err != nil {
			return err
		}
		p.buf.Reset()
	}
	return nil
}

func (h *Handlers) deleteForm(w http.ResponseWriter, r *http.Request, u *User) {
	d := views.DeleteAccountData{Username: u.Username, Choice: "anonymise", ReservedDays: h.svc.NameReservationDays()}
	h.web.Render(w, r, http.StatusOK, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
}

func (h *Handlers) deleteAccount(w http.ResponseWriter, r *http.Request, u *User) {
	d := views.DeleteAccountData{Username: u.Username, Choice: r.PostFormValue("content"), ReservedDays: h.svc.NameReservationDays()}
	password := r.PostFormValue("password")
	fields := map[string]string{}
	if d.Choice != "erase" && d.Choice != "anonymise" {
		fields["content"] = "Choose what happens to what you posted."
	}
	if password == "" {
		fields["password"] = "Enter your password to confirm it is you."
	}
	err := web.InvalidFields(fields)
	if err == nil {
		err = h.svc.DeleteAccount(r.Context(), u.ID, password, d.Choice == "erase")
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Errors = fields
		h.web.Render(w, r, status, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.clearCookie(w)
	// The page is drawn for the anonymous reader they now are.
	r = r.WithContext(WithUser(r.Context(), nil))
	text := "Your account and your personal details are gone, and you are logged out."
	if d.Choice == "erase" {
		text += " What you posted was erased."
	} else {
		text += " What you posted stays, shown as written by a former member."
	}
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Account deleted", ""), "Account deleted", text, "/", "Go to the forum"))
}
