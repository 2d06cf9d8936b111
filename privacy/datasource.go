package privacy

import (
	"context"
	"time"

	"stoa/storage"
)

// DataSource is privacy's share of a member's data for the export and account deletion
// (P15): policy consents, contact preferences and enquiries. It satisfies
// account.DataSource; the server lists it among the account's data sources.
type DataSource struct {
	Policies  *Policies
	Prefs     *Preferences
	Enquiries *Enquiries
}

type exportedMessage struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

type exportedEnquiry struct {
	Subject      string            `json:"subject"`
	Message      string            `json:"message"`
	Status       string            `json:"status"`
	SentAt       time.Time         `json:"sent_at"`
	Conversation []exportedMessage `json:"conversation"`
}

// ExportUser hands over consents.json, preferences.json and enquiries.json.
func (d DataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	consents, err := d.Policies.Consents(ctx, userID)
	if err != nil {
		return err
	}
	if err := put("consents.json", consents); err != nil {
		return err
	}
	prefs, err := d.Prefs.Get(ctx, userID)
	if err != nil {
		return err
	}
	if err := put("preferences.json", prefs); err != nil {
		return err
	}
	list, err := d.Enquiries.ForMember(ctx, userID)
	if err != nil {
		return err
	}
	out := []exportedEnquiry{}
	for _, e := range list {
		full, err := d.Enquiries.Get(ctx, e.ID)
		if err != nil {
			return err
		}
		x := exportedEnquiry{Subject: full.Subject, Message: full.Body, Status: full.Status, SentAt: full.CreatedAt,
			Conversation: []exportedMessage{}}
		for _, m := range full.Messages {
			from := "you"
			if m.FromStaff {
				from = "staff"
			}
			x.Conversation = append(x.Conversation, exportedMessage{From: from, Text: m.Body, At: m.CreatedAt})
		}
		out = append(out, x)
	}
	return put("enquiries.json", out)
}

// EraseUser removes the member's consents, preferences and enquiries whatever erase says:
// none of it is public content. Staff answers they wrote stay, without their name.
func (d DataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	return d.Policies.store.eraseMember(tx, userID)
}
