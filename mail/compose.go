package mail

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// templates holds Stoa's own mails: name.txt (a "Subject: …" line, a blank line, the
// plain text) and name.html (the HTML body, framed by frame).
//
//go:embed templates/*.txt templates/*.html
var templates embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("").ParseFS(templates, "templates/*.txt"))
	htmlTemplates = template.Must(template.New("").ParseFS(templates, "templates/*.html"))
)

// Compose renders Stoa's mail template name for recipient to, with data available to the
// template as .Data and the site's name and address as .Site and .BaseURL.
func (o *Outbox) Compose(name, to string, data any) (Message, error) {
	in := struct {
		Site, BaseURL string
		Data          any
	}{o.SiteName(), o.cfg.BaseURL, data}
	var text, body bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, name+".txt", in); err != nil {
		return Message{}, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&body, name+".html", in); err != nil {
		return Message{}, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	head, rest, ok := strings.Cut(text.String(), "\n\n")
	subject, hasSubject := strings.CutPrefix(head, "Subject: ")
	if !ok || !hasSubject {
		return Message{}, fmt.Errorf("mail: template %s.txt must start with a Subject line and a blank line", name)
	}
	subject = strings.TrimSpace(subject)
	return Message{To: to, Subject: subject, Text: strings.TrimLeft(rest, "\n"), Kind: name,
		HTML: o.framed(subject, template.HTML(body.String()))}, nil
}

// htmlFromText turns a plain-text body into the HTML part: escaped, blank lines making
// paragraphs, line breaks kept, web links clickable, inside the site's mail frame.
func (o *Outbox) htmlFromText(subject, text string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			lines[i] = linkify(l)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	return o.framed(subject, template.HTML(b.String()))
}

// webLink finds http(s) links in plain text.
var webLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes a line of plain text and makes its web links clickable. Punctuation
// that ends a sentence is left out of the link.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range webLink.FindAllStringIndex(line, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)'", rune(line[end-1])) {
			end--
		}
		u := template.HTMLEscapeString(line[m[0]:end])
		b.WriteString(template.HTMLEscapeString(line[last:m[0]]))
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(line[last:]))
	return b.String()
}

// framed wraps an HTML body in the site's mail frame.
func (o *Outbox) framed(subject string, body template.HTML) string {
	var buf bytes.Buffer
	err := frame.Execute(&buf, struct {
		Subject, Site, BaseURL string
		Body                   template.HTML
	}{subject, o.SiteName(), o.cfg.BaseURL, body})
	if err != nil {
		// The frame is fixed and its data plain strings, so this cannot happen; the body
		// alone is still a correct HTML part.
		return string(body)
	}
	return buf.String()
}

// frame is the HTML part's layout: inline styles only (mail clients drop stylesheets),
// no images and nothing fetched from elsewhere, a footer naming the site.
var frame = template.Must(template.New("frame").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #222; max-width: 40em; margin: 0 auto; padding: 1em;">
{{.Body}}<hr style="border: none; border-top: 1px solid #ccc;">
<p style="color: #666; font-size: 0.9em;">{{.Site}}{{if .BaseURL}} · <a href="{{.BaseURL}}">{{.BaseURL}}</a>{{end}}</p>
</body></html>
`))
