package account

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
)

// The export's HTML pages are self-contained (no scripts, no external files) so that
// they open in any browser straight from the unzipped folder.
const exportStyle = `<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1c2430}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #dde1e7;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f2f5}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#5b6675}dd{margin:0;white-space:pre-wrap}
td{white-space:pre-wrap;overflow-wrap:anywhere}.muted{color:#5b6675}
</style>`

func pageStart(w *bufio.Writer, title string) {
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title>%s</head><body>\n",
		html.EscapeString(title), exportStyle)
}

// renderIndex writes index.html: what the archive is, the profile, and every file.
func renderIndex(out io.Writer, p exportedProfile, files []exportedFile, at time.Time) error {
	w := bufio.NewWriter(out)
	pageStart(w, "Your data from Stoa")
	fmt.Fprintf(w, "<h1>Your data, %s</h1>\n", html.EscapeString(p.Username))
	fmt.Fprintf(w, "<p>This archive holds everything this site keeps that is tied to your account, as of %s. "+
		"Each part is a JSON file (for programs) with an HTML page beside it (for people).</p>\n", at.Format("2 January 2006 15:04 UTC"))
	w.WriteString("<h2>Profile</h2>\n<dl>")
	email := p.Email
	if email == "" {
		email = "none given"
	}
	for _, kv := range [][2]string{{"Username", p.Username}, {"Display name", p.DisplayName}, {"Email", email},
		{"Role", p.Role}, {"Joined", p.Joined.Format("2 January 2006")}} {
		fmt.Fprintf(w, "<dt>%s</dt><dd>%s</dd>", kv[0], html.EscapeString(kv[1]))
	}
	w.WriteString("</dl>\n<h2>Contents</h2>\n<table><thead><tr><th>Part</th><th>Entries</th><th>Files</th></tr></thead><tbody>\n")
	for _, f := range files {
		fmt.Fprintf(w, "<tr><td>%s</td><td>%d</td><td><a href=\"%s\">%s</a> · <a href=\"%s\">%s</a></td></tr>\n",
			html.EscapeString(humanName(f.JSON)), f.Records, html.EscapeString(f.HTML), html.EscapeString(f.HTML),
			html.EscapeString(f.JSON), html.EscapeString(f.JSON))
	}
	w.WriteString("</tbody></table>\n<p class=\"muted\">Not included: your password (only a salted hash is kept, which cannot be turned back into it), " +
		"and anything about your visits: this site stores no IP addresses and no browser details.</p>\n</body></html>\n")
	return w.Flush()
}

// humanName turns "chat_messages.json" into "Chat messages".
func humanName(file string) string {
	s := strings.ReplaceAll(strings.TrimSuffix(file, ".json"), "_", " ")
	s = strings.ReplaceAll(s, "-", " ")
	if s == "" {
		return file
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// renderFilePage writes a readable page for one JSON file: a list of records becomes a
// table, an object a list of fields.
func renderFilePage(out io.Writer, username string, f exportedFile, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	title := humanName(f.JSON)
	pageStart(w, title+" · "+username)
	fmt.Fprintf(w, "<p><a href=\"index.html\">← All your data</a></p>\n<h1>%s</h1>\n", html.EscapeString(title))
	renderValue(w, v, 0)
	fmt.Fprintf(w, "<p class=\"muted\">The same data for programs: <a href=\"%s\">%s</a></p>\n</body></html>\n",
		html.EscapeString(f.JSON), html.EscapeString(f.JSON))
	return w.Flush()
}

// renderListPage writes the page of a list of records, one record at a time: a first pass
// finds the table's columns, a second writes its rows.
func renderListPage(out io.Writer, username string, f exportedFile, list reflect.Value) error {
	record := func(i int) (any, error) {
		data, err := json.Marshal(list.Index(i).Interface())
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		err = dec.Decode(&v)
		return v, err
	}
	var cols []string
	table := true // every record is an object: a table; otherwise a list
	for i := range list.Len() {
		v, err := record(i)
		if err != nil {
			return err
		}
		m, ok := v.(map[string]any)
		table = table && ok
		for _, k := range sortedKeys(m) {
			if !slices.Contains(cols, k) {
				cols = append(cols, k)
			}
		}
	}
	w := bufio.NewWriter(out)
	title := humanName(f.JSON)
	pageStart(w, title+" · "+username)
	fmt.Fprintf(w, "<p><a href=\"index.html\">← All your data</a></p>\n<h1>%s</h1>\n", html.EscapeString(title))
	switch {
	case list.Len() == 0:
		w.WriteString("<p class=\"muted\">Nothing here.</p>\n")
	case !table:
		w.WriteString("<ul>")
		for i := range list.Len() {
			v, err := record(i)
			if err != nil {
				return err
			}
			w.WriteString("<li>")
			renderValue(w, v, 1)
			w.WriteString("</li>")
		}
		w.WriteString("</ul>\n")
	default:
		w.WriteString("<table><thead><tr>")
		for _, c := range cols {
			fmt.Fprintf(w, "<th>%s</th>", html.EscapeString(label(c)))
		}
		w.WriteString("</tr></thead><tbody>\n")
		for i := range list.Len() {
			v, err := record(i)
			if err != nil {
				return err
			}
			m, _ := v.(map[string]any)
			w.WriteString("<tr>")
			for _, c := range cols {
				w.WriteString("<td>")
				if val, ok := m[c]; ok {
					renderValue(w, val, 1)
				}
				w.WriteString("</td>")
			}
			w.WriteString("</tr>\n")
		}
		w.WriteString("</tbody></table>\n")
	}
	fmt.Fprintf(w, "<p class=\"muted\">The same data for programs: <a href=\"%s\">%s</a></p>\n</body></html>\n",
		html.EscapeString(f.JSON), html.EscapeString(f.JSON))
	return w.Flush()
}

func renderValue(w *bufio.Writer, v any, depth int) {
	switch x := v.(type) {
	case []any:
		renderList(w, x, depth)
	case map[string]any:
		keys := sortedKeys(x)
		if len(keys) == 0 {
			w.WriteString("<span class=\"muted\">(none)</span>")
			return
		}
		w.WriteString("<dl>")
		for _, k := range keys {
			fmt.Fprintf(w, "<dt>%s</dt><dd>", html.EscapeString(label(k)))
			renderValue(w, x[k], depth+1)
			w.WriteString("</dd>")
		}
		w.WriteString("</dl>\n")
	default:
		w.WriteString(html.EscapeString(scalar(v)))
	}
}

// renderList renders records as a table with a column for every field any of them has.
func renderList(w *bufio.Writer, list []any, depth int) {
	if len(list) == 0 {
		w.WriteString("<p class=\"muted\">Nothing here.</p>\n")
		return
	}
	var cols []string
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok || depth > 2 {
			cols = nil
			break
		}
		for _, k := range sortedKeys(m) {
			if !slices.Contains(cols, k) {
				cols = append(cols, k)
			}
		}
	}
	if cols == nil {
		w.WriteString("<ul>")
		for _, item := range list {
			w.WriteString("<li>")
			renderValue(w, item, depth+1)
			w.WriteString("</li>")
		}
		w.WriteString("</ul>\n")
		return
	}
	w.WriteString("<table><thead><tr>")
	for _, c := range cols {
		fmt.Fprintf(w, "<th>%s</th>", html.EscapeString(label(c)))
	}
	w.WriteString("</tr></thead><tbody>\n")
	for _, item := range list {
		m := item.(map[string]any)
		w.WriteString("<tr>")
		for _, c := range cols {
			w.WriteString("<td>")
			if val, ok := m[c]; ok {
				renderValue(w, val, depth+1)
			}
			w.WriteString("</td>")
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody></table>\n")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// label turns "created_at" into "Created at".
func label(k string) string {
	k = strings.ReplaceAll(k, "_", " ")
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// scalar prints a JSON scalar; RFC 3339 times become readable dates.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case string:
		if t, err := time.Parse(time.RFC3339, x); err == nil && len(x) >= 20 {
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		}
		return x
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}
