package privacy

import (
	"context"
	"fmt"
	"stoa/storage"
	"time"
)

// DataSource is privacy's share of a member's data for the export and account deletion
// (P15): policy consents, contact preferences and enquiries. It satisfies
// account.DataSource; the server registers it.
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
	for _, q := range []string{
		"delete from policy_consents where user_id = ?",
		"delete from contact_preferences where user_id = ?",
		"delete from enquiries where user_id = ?",
		"update enquiry_messages set author_id = null where author_id = ?",
		"update policies set created_by = null where created_by = ?",
		"update announcements set sent_by = null where sent_by = ?",
	} {
		if _, err := tx.Exec(q, userID); err != nil {
			return fmt.Errorf("privacy: erase member %d: %w", userID, err)
		}
	}
	return nil
}
