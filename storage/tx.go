package storage

import (
	"database/sql"
	"errors"

	"github.com/mattn/go-sqlite3"
)

// Tx is one write inside the writer's transaction. Stores run their statements through it;
// what must happen only once the write is durable (telling WebSocket clients, dropping a
// cache) is registered with AfterCommit.
type Tx struct {
	tx    *sql.Tx
	stmts *stmtCache
	// inTx holds the cached statements bound to this transaction: binding one
	// (sql.Tx.Stmt) costs more than running it, and a batch runs the same few statements
	// many times.
	inTx  map[string]*sql.Stmt
	after []func()
}

// stmt returns the prepared statement for query bound to this transaction, or nil when
// query has not been prepared yet (it is noted, to be prepared after the commit).
func (t *Tx) stmt(query string) *sql.Stmt {
	if st := t.inTx[query]; st != nil {
		return st
	}
	st := t.stmts.cached(query)
	if st == nil {
		t.stmts.want(query)
		return nil
	}
	st = t.tx.Stmt(st)
	if t.inTx == nil {
		t.inTx = map[string]*sql.Stmt{}
	}
	t.inTx[query] = st
	return st
}

// Exec runs a statement, through a cached prepared statement from its second use on.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if st := t.stmt(query); st != nil {
		return st.Exec(args...)
	}
	return t.tx.Exec(query, args...)
}

// QueryRow runs a query that returns at most one row, through a cached prepared statement
// from its second use on.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	if st := t.stmt(query); st != nil {
		return st.QueryRow(args...)
	}
	return t.tx.QueryRow(query, args...)
}

// Query runs a query inside the transaction. Close the rows before the next statement.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(query); st != nil {
		return st.Query(args...)
	}
	return t.tx.Query(query, args...)
}

// AfterCommit runs fn once this write is durable, before Write returns to its caller.
// Functions registered by all the writes of one commit run in commit order, on the
// writer, so they must not block: hand work to a queue rather than do it. They do not
// run when the write fails.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// IsUniqueViolation reports whether err is a unique-constraint failure, such as a
// duplicate submit token.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}
