package account

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"stoa/storage"
	"stoa/web"
)

// ExportSlots is how many data exports run at once: each reads a member's every record,
// holds one data source's list in memory and keeps a reader busy while it streams.
const ExportSlots = 2

// ErrExportsBusy refuses an export while ExportSlots others run.
var ErrExportsBusy = &web.Error{Status: http.StatusServiceUnavailable, RetryAfter: time.Minute,
	Message: "Other downloads of members' data are being prepared right now. Try again in a minute."}

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
//
// At most ExportSlots exports run at once; another is refused with ErrExportsBusy.
func (s *Service) Export(ctx context.Context, userID int64, w io.Writer) error {
	select {
	case s.exports <- struct{}{}:
		defer func() { <-s.exports }()
	default:
		return ErrExportsBusy
	}
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
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
			f, err := putList(z, name, now, u.Username, rv)
			if err != nil {
				return err
			}
			files = append(files, f)
			return nil
		}
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
	if err := s.exportAvatar(ctx, z, userID, now, put); err != nil {
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

// putList writes a list of records as name (JSON) and its page (HTML) one record at a
// time: the list is read twice, and never copied whole (as JSON, as decoded values or as
// HTML), so a member with a great deal of data costs the list they already have, not
// several times it.
func putList(z *zip.Writer, name string, at time.Time, username string, list reflect.Value) (exportedFile, error) {
	f := exportedFile{JSON: name, HTML: strings.TrimSuffix(name, ".json") + ".html", Records: list.Len()}
	fw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return f, fmt.Errorf("account: export %s: %w", name, err)
	}
	w := bufio.NewWriter(fw)
	if list.Len() == 0 {
		w.WriteString("[]")
	} else {
		w.WriteString("[\n  ")
		for i := range list.Len() {
			data, err := json.MarshalIndent(list.Index(i).Interface(), "  ", "  ")
			if err != nil {
				return f, fmt.Errorf("account: export %s: %w", name, err)
			}
			if i > 0 {
				w.WriteString(",\n  ")
			}
			w.Write(data)
		}
		w.WriteString("\n]")
	}
	if err := w.Flush(); err != nil {
		return f, fmt.Errorf("account: export %s: %w", name, err)
	}
	hw, err := z.CreateHeader(&zip.FileHeader{Name: f.HTML, Method: zip.Deflate, Modified: at})
	if err != nil {
		return f, fmt.Errorf("account: export %s: %w", f.HTML, err)
	}
	if err := renderListPage(hw, username, f, list); err != nil {
		return f, fmt.Errorf("account: export %s: %w", f.HTML, err)
	}
	return f, nil
}

// countRecords is the number of entries of a JSON array, or 1 for anything else.
func countRecords(data []byte) int {
	var list []json.RawMessage
	if json.Unmarshal(data, &list) == nil {
		return len(list)
	}
	return 1
}

// exportedAvatar is avatar.json: the member's uploaded picture, also in the archive as
// the image file it names.
type exportedAvatar struct {
	File        string    `json:"file"`
	ContentType string    `json:"content_type"`
	Uploaded    time.Time `json:"uploaded"`
	Image       []byte    `json:"image_base64"`
}

// exportAvatar puts the member's uploaded picture, if any, into the archive.
func (s *Service) exportAvatar(ctx context.Context, z *zip.Writer, userID int64, now time.Time, put func(string, any) error) error {
	a, err := s.store.avatarByID(ctx, userID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	file := "avatar.png"
	if a.ContentType == "image/jpeg" {
		file = "avatar.jpg"
	}
	if err := writeZip(z, file, now, a.Image); err != nil {
		return err
	}
	return put("avatar.json", exportedAvatar{File: file, ContentType: a.ContentType, Uploaded: a.UpdatedAt, Image: a.Image})
}
