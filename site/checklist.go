package site

import (
	"context"
	"fmt"

	"stoa/views"
)

// Step is one item of the setup checklist: something a new site's admin should do, where
// it is done, and how to tell that it was.
type Step struct {
	Title string
	Text  string // what to do and why, one sentence
	URL   string // the page where it is done
	Done  func(ctx context.Context) (bool, error)
}

// settingsStep is the checklist's first item, which this package keeps itself.
func (s *Settings) settingsStep() Step {
	return Step{Title: "Name and describe the site", URL: "/admin/site",
		Text: "Shown at the top of every page, in feeds and in mail. Until then the site is called “Stoa”.",
		Done: func(context.Context) (bool, error) { return s.Info().Saved, nil }}
}

// Checklist is the setup checklist: the site's own step, then the others in order.
type Checklist struct {
	settings *Settings
	steps    []Step
}

// status works out which steps are done.
func (c *Checklist) status(ctx context.Context) (views.SetupChecklist, error) {
	out := views.SetupChecklist{Dismissed: c.settings.Info().ChecklistDismissed}
	for _, st := range append([]Step{c.settings.settingsStep()}, c.steps...) {
		done, err := st.Done(ctx)
		if err != nil {
			return out, fmt.Errorf("site: checklist step %q: %w", st.Title, err)
		}
		out.Steps = append(out.Steps, views.SetupStep{Title: st.Title, Text: st.Text, URL: st.URL, Done: done})
		if done {
			out.Done++
		}
	}
	return out, nil
}
