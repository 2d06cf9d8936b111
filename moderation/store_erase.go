package moderation

import (
	"fmt"
	"strings"

	"stoa/storage"
)

// eraseMember removes inside tx what moderation holds about a member: notices and their
// conversations, sanctions, staff notes, the reports they filed and the reports about
// them. The audit log keeps its entries: the database refuses to change it.
func (st *store) eraseMember(tx *storage.Tx, userID int64) error {
	for _, q := range []string{
		"delete from notice_replies where notice_id in (select id from notices where user_id = ?)",
		"delete from notices where user_id = ?",
		"delete from sanctions where user_id = ?",
		"delete from mod_notes where user_id = ?",
		"delete from reports where reporter_id = ? or target_user_id = ?",
	} {
		// Every placeholder is the member.
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = userID
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return fmt.Errorf("moderation: erase data of %d: %w", userID, err)
		}
	}
	return nil
}
