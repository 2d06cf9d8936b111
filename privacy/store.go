package privacy

import (
	"fmt"

	"stoa/storage"
)

// store is the SQL behind privacy's parts, one file per part (store_*.go). Methods that
// take a *storage.Tx run inside a write the caller holds.
type store struct {
	db *storage.DB
}

// flag stores a yes/no as the integer 0 or 1, which every engine's integer column takes.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// eraseMember removes, inside tx, what privacy keeps about a member (consents,
// preferences, enquiries) and their name from what they did as staff.
func (s store) eraseMember(tx *storage.Tx, userID int64) error {
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
