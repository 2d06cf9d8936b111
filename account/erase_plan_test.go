package account_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"stoa/account"
	"stoa/storage"
)

// racingSource is a data source whose prepared changes go stale the first times.
type racingSource struct {
	stale int // how many plans find their content changed
	plans int
	got   account.DeletedMember
}

func (*racingSource) ExportUser(context.Context, int64, func(string, any) error) error { return nil }
func (*racingSource) EraseUser(*storage.Tx, int64, bool) error                         { return nil }

func (r *racingSource) PlanErase(_ context.Context, m account.DeletedMember) (func(*storage.Tx) error, error) {
	r.plans++
	r.got = m
	stale := r.plans <= r.stale
	return func(*storage.Tx) error {
		if stale {
			return fmt.Errorf("test: %w", account.ErrContentChanged)
		}
		return nil
	}, nil
}

// A deletion whose prepared changes to others' content went stale is prepared again; one
// that keeps going stale fails without deleting anything.
func TestDeleteAccountPreparesAgainWhenContentChanged(t *testing.T) {
	ctx := context.Background()
	once := &racingSource{stale: 1}
	svc, _ := newAccounts(t, once)
	alice, _ := svc.CreateUser(ctx, "alice", "password-alice", account.RoleMember)
	if err := svc.DeleteAccount(ctx, alice.ID, "password-alice", true); err != nil {
		t.Fatalf("deleting after one stale plan: %v", err)
	}
	if once.plans != 2 || once.got != (account.DeletedMember{ID: alice.ID, Username: "alice", Erase: true}) {
		t.Errorf("planned %d times for %+v", once.plans, once.got)
	}

	always := &racingSource{stale: 1 << 30}
	svc, _ = newAccounts(t, always)
	bob, _ := svc.CreateUser(ctx, "bob", "password-bob", account.RoleMember)
	if err := svc.DeleteAccount(ctx, bob.ID, "password-bob", false); !errors.Is(err, account.ErrContentChanged) {
		t.Fatalf("deleting while content keeps changing: %v", err)
	}
	if u, err := svc.Store().ByID(ctx, bob.ID); err != nil || u.Username != "bob" {
		t.Fatalf("a failed deletion deleted something: %v %v", u, err)
	}
}
