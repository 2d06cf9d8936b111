package moderation

import (
	"context"
	"fmt"
)

// recordCounts is what a member's moderation record counts.
type recordCounts struct {
	notices int // warnings they received (not the notices saying a sanction was lifted)
	upheld  int // things of theirs reported and acted on
}

// historyCounts counts, per member of ids, the notices they received and the reported
// things of theirs that moderators acted on. Members with neither are left out.
func (st *store) historyCounts(ctx context.Context, ids []int64) (map[int64]recordCounts, error) {
	out := map[int64]recordCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := st.db.Query(ctx, `select user_id, count(*), 0 from notices where user_id in (`+in+`) and lifted_sanction = 0 group by user_id
		union all
		select target_user_id, 0, count(*) from (select distinct target_user_id, target_kind, target_id from reports
			where target_user_id in (`+in+`) and resolution = 'actioned') upheld group by target_user_id`,
		append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("moderation: count records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var notices, upheld int
		if err := rows.Scan(&id, &notices, &upheld); err != nil {
			return nil, fmt.Errorf("moderation: count records: %w", err)
		}
		c := out[id]
		c.notices += notices
		c.upheld += upheld
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: count records: %w", err)
	}
	return out, nil
}
