package account_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/mail"
	"stoa/storage"
	"stoa/storage/storagetest"
)

type (
	goquerySelection = goquery.Selection
)

// openDB opens a fresh database with every migration applied, on the engine
// STOA_TEST_ENGINE names.
func openDB(t *testing.T) *storage.DB {
	t.Helper()
	return storagetest.Open(t)
}

// noSanctions is moderation's part for tests of account alone: nobody is sanctioned.
type noSanctions struct{}

func (noSanctions) CanLogIn(context.Context, int64) error { return nil }
func (noSanctions) CanPost(context.Context, int64) error  { return nil }

// newService builds the account service on db the way the server does, with a real
// outbox (no mail server: mail stays queued), no sanctions and no policies to accept,
// unless opts says otherwise.
func newService(db *storage.DB, opts account.Options) *account.Service {
	if opts.Restrictions == nil {
		opts.Restrictions = noSanctions{}
	}
	if opts.Policies == nil {
		opts.Policies = account.PoliciesFunc(func(*storage.Tx, int64) error { return nil })
	}
	if opts.Outbox == nil {
		opts.Outbox = mail.NewOutbox(db, mail.Config{BaseURL: "https://stoa.test"})
	}
	return account.NewService(account.NewStore(db), opts)
}

// scan reads row into dest and fails the test if it cannot, so that a check of what is
// left in the database cannot pass because its query failed.
func scan(t testing.TB, row *sql.Row, dest ...any) {
	t.Helper()
	if err := row.Scan(dest...); err != nil {
		t.Fatalf("query: %v", err)
	}
}
