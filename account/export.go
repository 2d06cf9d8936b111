package account

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"stoa/web"
)

// exportedProfile is profile.json in a member's export.
type exportedProfile struct {
	Username      string    `json:"username"`
	DisplayName   string    `json:"display_name"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	Role          string    `json:"role"`
	Joined        time.Time `json:"joined"`
}

type exportedSession struct {
	Started time.Time `json:"started"`
	Expires time.Time `json:"expires"`
}

// exportedFile is one file of the archive, listed on its index.html.
type exportedFile struct {
	JSON, HTML string
	Records    int
}

// Export streams a ZIP archive of everything tied to the member to w (P15): profile.json,
// sessions.json, each data source's files as JSON with a readable HTML page beside each,
// and an index.html that links them. The archive is written as it is made; only one
// file's records are held in memory at a time.
func (s *Service) Export(ctx context.Context, userID int64, w io.Writer) error {
	u, err := s.store.ByID(ctx, userID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	z := zip.NewWriter(w)
	var files []exportedFile
	seen := map[string]bool{}
	put := func(name string, v any) error {
		name = path.Base(strings.ReplaceAll(name, "\\", "/"))
		if name == "." || name == "/" || name == "index.html" || seen[name] {
			return fmt.Errorf("account: export: bad or repeated file name %q", name)
		}
		seen[name] = true
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("account: export %s: %w", name, err)
		}
		if err := writeZip(z, name, now, data); err != nil {
			return err
		}
		f := exportedFile{JSON: name, HTML: strings.TrimSuffix(name, ".json") + ".html", Records: countRecords(data)}
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.HTML, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("account: export %s: %w", f.HTML, err)
		}
		if err := renderFilePage(fw, u.Username, f, data); err != nil {
			return fmt.Errorf("account: export %s: %w", f.HTML, err)
		}
		files = append(files, f)
		return nil
	}
	profile := exportedProfile{Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
		EmailVerified: u.EmailVerified, Role: string(u.Role), Joined: u.CreatedAt}
	if err := put("profile.json", profile); err != nil {
		return err
	}
	sessions, err := s.store.sessionsOf(ctx, userID)
	if err != nil {
		return err
	}
	if err := put("sessions.json", sessions); err != nil {
		return err
	}
	for _, ds := range s.dataSources {
		if err := ds.ExportUser(ctx, userID, put); err != nil {
			return fmt.Errorf("account: export member %d: %w", userID, err)
		}
	}
	iw, err := z.CreateHeader(&zip.FileHeader{Name: "index.html", Method: zip.Deflate, Modified: now})
	if err != nil {
		return fmt.Errorf("account: export index: %w", err)
	}
	if err := renderIndex(iw, profile, files, now); err != nil {
		return fmt.Errorf("account: export index: %w", err)
	}
	return z.Close()
}

func writeZip(z *zip.Writer, name string, at time.Time, data []byte) error {
	fw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return fmt.Errorf("account: export %s: %w", name, err)
	}
	if _, err := fw.Write(data); err != nil {
		return fmt.Errorf("account: export %s: %w", name, err)
	}
	return nil
}

// countRecords is the number of entries of a JSON array, or 1 for anything else.
func countRecords(data []byte) int {
	var list []json.RawMessage
	if json.Unmarshal(data, &list) == nil {
		return len(list)
	}
	return 1
}

// sessionsOf lists a member's live sessions (when each began and ends; never the token).
func (s *Store) sessionsOf(ctx context.Context, userID int64) ([]exportedSession, error) {
	rows, err := s.db.Query(ctx,
		"select created_at, expires_at from sessions where user_id = ? order by created_at", userID)
	if err != nil {
		return nil, fmt.Errorf("account: sessions of %d: %w", userID, err)
	}
	defer rows.Close()
	out := []exportedSession{}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("account: sessions of %d: %w", userID, err)
		}
		out = append(out, exportedSession{Started: time.Unix(a, 0).UTC(), Expires: time.Unix(b, 0).UTC()})
	}
	return out, rows.Err()
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
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
			h.web.ServerError(w, r, err)
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
