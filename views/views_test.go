package views

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDisclosureSaysWhoCanReadAndRepublish(t *testing.T) {
	for audience, says := range map[string]string{"public": "anyone on the internet", "members": "all members"} {
		doc := render(t, Disclosure(audience))
		aside := doc.Find("[data-disclosure]")
		if v, _ := aside.Attr("data-disclosure"); v != audience {
			t.Fatalf("data-disclosure=%q, want %q", v, audience)
		}
		text := aside.Text()
		for _, want := range []string{says, "recorded, archived and republished by anyone"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s disclosure %q lacks %q", audience, text, want)
			}
		}
	}
}

func TestHoldWarningNamesEveryFindingAndOffersConfirmation(t *testing.T) {
	doc := render(t, HoldWarning(&Hold{Findings: []string{"email address", "phone number", "IBAN"}}))
	if got := doc.Find("[data-hold] b").Text(); got != "email address, phone number and IBAN" {
		t.Errorf("findings read %q", got)
	}
	if doc.Find(`input[type=checkbox][name=confirm][value="1"]`).Length() != 1 {
		t.Error("no publish-anyway confirmation")
	}
	if render(t, HoldWarning(nil)).Find("[data-hold]").Length() != 0 {
		t.Error("a hold warning without findings")
	}
}

func TestFieldsHaveVisibleLabelsAndErrors(t *testing.T) {
	doc := render(t, Field("Email (optional)", "email", "email", "x@", "Enter an email address.", nil))
	label := doc.Find("label")
	input := doc.Find("input")
	if id, _ := input.Attr("id"); label.AttrOr("for", "") != id || id == "" {
		t.Fatal("label is not tied to its input")
	}
	if label.Text() != "Email (optional)" {
		t.Errorf("label %q", label.Text())
	}
	if input.AttrOr("aria-invalid", "") != "true" || input.AttrOr("aria-describedby", "") != doc.Find(".error").AttrOr("id", "-") {
		t.Error("the error is not announced with the input")
	}
}

func TestStoredHTMLIsPrintedAndTextIsEscaped(t *testing.T) {
	doc := render(t, PostView(Post{ID: 1, Anchor: "p1", Author: "<b>eve</b>", AuthorURL: "/u/eve", HTML: "<p><strong>ok</strong></p>"}))
	if doc.Find(".prose strong").Text() != "ok" {
		t.Error("stored HTML not printed")
	}
	if doc.Find(".author b").Length() != 0 || doc.Find(".author").Text() != "<b>eve</b>" {
		t.Error("an author name was printed as HTML")
	}
}

func TestAccountPageListsIrreversibleActionsLast(t *testing.T) {
	doc := render(t, Me(Page{}, MeData{Username: "bob", Links: []MeLink{
		{URL: "/me/delete", Title: "Delete your account", Danger: true},
		{URL: "/me/export", Title: "Download your data"},
	}}))
	links := doc.Find(".me-links a.title")
	if links.Length() != 2 || links.Last().AttrOr("href", "") != "/me/delete" {
		t.Fatalf("account links %d, last %q; want deletion last", links.Length(), links.Last().AttrOr("href", ""))
	}
	if doc.Find(".danger-zone a[href='/me/delete']").Length() != 1 {
		t.Error("deletion is not marked as dangerous")
	}
}
