package moderation

import (
	"fmt"
	"strings"

	"stoa/storage"
)

// removedSnapshot replaces, in a report kept after its target's author erased their
// account, the content the report quoted: erasing removes their words everywhere.
const removedSnapshot = "<p><em>[removed: its author erased their account]</em></p>"

// eraseMember removes inside tx what moderation holds of an erased member's own words:
// their notices and the conversations under them, the content quoted in reports about
// them and the details of reports they filed. Their moderation record stays (issue 15,
// bug 7): sanctions, staff notes and the reports about them, tied to the emptied account
// row, which keeps a mark of the name it held (account's name marks); reports they filed
// stay, their reporter shown as a former member. The audit log keeps its entries: the
// database refuses to change it.
func (st *store) eraseMember(tx *storage.Tx, userID int64) error {
	for _, q := range []string{
		"delete from notice_replies where notice_id in (select id from notices where user_id = ?)",
		"delete from notices where user_id = ?",
		// The label may hold their words too (the title of a thread they started).
		"update reports set snapshot_text = '', snapshot_html = '" + removedSnapshot + `',
			snapshot_label = case target_kind when 'post' then 'Post by an erased account'
				when 'message' then 'Chat message by an erased account' else 'Profile of an erased account' end
			where target_user_id = ?`,
		"update reports set details = '' where reporter_id = ?",
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
