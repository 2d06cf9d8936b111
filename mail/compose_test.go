package mail

import (
	"strings"
	"testing"
)

func TestHTMLFromTextEscapesAndLinks(t *testing.T) {
	o := NewOutbox(nil, Config{BaseURL: "https://forum.example.org", SiteName: "Forum"})
	html := o.htmlFromText("Subject <x>", "Read https://forum.example.org/t/1?a=1&b=2.\n\n<script>alert(1)</script> javascript:alert(1)")
	for _, want := range []string{
		`<a href="https://forum.example.org/t/1?a=1&amp;b=2">https://forum.example.org/t/1?a=1&amp;b=2</a>.`,
		"&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)",
		"<title>Subject &lt;x&gt;</title>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("text was not escaped")
	}
}

func TestComposeTemplatesHaveSubjectAndBothParts(t *testing.T) {
	o := NewOutbox(nil, Config{BaseURL: "https://forum.example.org", SiteName: "Forum"})
	for name, data := range map[string]map[string]string{
		"reset":          {"Username": "ann", "Link": "https://forum.example.org/reset/T"},
		"confirm":        {"Username": "ann", "Email": "ann@example.org", "Valid": "48 hours", "Link": "https://forum.example.org/me/email/confirm/T"},
		"email_changing": {"Username": "ann", "NewEmail": "new@example.org"},
	} {
		m, err := o.Compose(name, "ann@example.org", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.Subject == "" || !strings.Contains(m.Subject, "Forum") || strings.Contains(m.Text, "Subject:") {
			t.Errorf("%s: subject %q", name, m.Subject)
		}
		if !strings.Contains(m.Text, "ann") || !strings.Contains(m.HTML, "ann") || !strings.Contains(m.HTML, "https://forum.example.org") {
			t.Errorf("%s: parts lack the name or the site:\n%s\n%s", name, m.Text, m.HTML)
		}
		if strings.Contains(m.HTML, "<img") || strings.Contains(m.Text, "<no value>") {
			t.Errorf("%s: image or missing value", name)
		}
		if link := data["Link"]; link != "" && (!strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`)) {
			t.Errorf("%s: link missing from a part", name)
		}
	}
}
