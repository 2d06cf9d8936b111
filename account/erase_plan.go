package account

import (
	"context"
	"errors"

	"stoa/storage"
)

// DeletedMember is the account being deleted, as a data source preparing its share sees
// it before the write.
type DeletedMember struct {
	ID       int64
	Username string
	// Erase is true when the member chose to erase their content rather than keep it as
	// a former member's.
	Erase bool
}

// ErasePlanner is a DataSource whose share of a deletion changes other members' content
// and needs work that may not run inside the write: forum posts and chat messages that
// quote the member's words or mention them are rewritten and rendered again first, and
// the write only stores the result. The returned function runs inside the deletion's
// transaction (perhaps more than once); it returns ErrContentChanged when what it
// prepared changed in the meantime, and the deletion is then prepared again.
type ErasePlanner interface {
	PlanErase(ctx context.Context, m DeletedMember) (func(tx *storage.Tx) error, error)
}

// ErrContentChanged says that content an ErasePlanner prepared changed before the
// deletion's write.
var ErrContentChanged = errors.New("account: content changed while the deletion was prepared")

// eraseAttempts is how often a deletion is prepared again when content it touches keeps
// changing under it.
const eraseAttempts = 3
