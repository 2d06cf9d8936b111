package moderation

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"stoa/storage"
)

// database is what the stores read through: *storage.DB in production; a test wraps it
// to count the queries a page makes.
type database interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// store is moderation's SQL: reports, notices and their replies, staff notes, sanctions
// and the audit log. Reads go through db; writes take the transaction of the change they
// belong to, so a change and its audit entry commit together. Its methods are spread over
// store_<topic>.go by the tables they touch.
type store struct {
	db database
}

func newStore(db *storage.DB) *store { return &store{db: db} }

// scanner is a row or rows being read.
type scanner interface{ Scan(dest ...any) error }

// idList returns "?, ?, ?" for ids with the ids as arguments, for `in (…)`.
func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}

// unique returns ids without repeats or zeros, in first-seen order.
func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func unix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

func unixTime(v int64) time.Time { return time.Unix(v, 0).UTC() }

// nullTime is a time for a nullable column: zero is null.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// nullID is an id for a nullable reference: zero is null.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
