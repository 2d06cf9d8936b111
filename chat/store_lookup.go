package chat

import (
	"context"
	"strings"
)

// MessagesByID loads the messages with these ids, deleted and hidden ones included, in
// one query; ids of no message are left out. The moderation queue reads its page of
// reported messages with it.
func (s *Store) MessagesByID(ctx context.Context, ids []int64) ([]*Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.queryMessages(ctx, "where m.id in (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
}
