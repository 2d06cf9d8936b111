package storage

import (
	"database/sql"
	"fmt"
)

// Tx is one write inside a write transaction. Stores run their statements through it,
// with `?` placeholders on both engines; what must happen only once the write is durable
// (telling WebSocket clients, dropping a cache) is registered with AfterCommit.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// SQLite: the writer's statement cache.
	stmts *stmtCache
	// inTx holds the cached statements bound to this transaction: binding one
	// (sql.Tx.Stmt) costs more than running it, and a batch runs the same few statements
	// many times.
	inTx map[string]*sql.Stmt
	// PostgreSQL: the database, for placeholders and ordering keys.
	db    *DB
	keys  []string
	after []func()
}

// Dialect tells a store which engine runs this transaction.
func (t *Tx) Dialect() Dialect { return t.dialect }

// stmt returns the prepared statement for query bound to this transaction, or nil when
// query has not been prepared yet (it is noted, to be prepared after the commit).
func (t *Tx) stmt(query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
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

// Exec runs a statement, through a cached prepared statement from its second use on
// (pgx caches PostgreSQL's per connection).
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if t.dialect == Postgres {
		return t.tx.Exec(t.db.rebind.rebind(query), pgArgs(args)...)
	}
	if st := t.stmt(query); st != nil {
		return st.Exec(args...)
	}
	return t.tx.Exec(query, args...)
}

// QueryRow runs a query that returns at most one row, through a cached prepared statement
// from its second use on.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	if t.dialect == Postgres {
		return t.tx.QueryRow(t.db.rebind.rebind(query), pgArgs(args)...)
	}
	if st := t.stmt(query); st != nil {
		return st.QueryRow(args...)
	}
	return t.tx.QueryRow(query, args...)
}

// Query runs a query inside the transaction. Close the rows before the next statement.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if t.dialect == Postgres {
		return t.tx.Query(t.db.rebind.rebind(query), pgArgs(args)...)
	}
	if st := t.stmt(query); st != nil {
		return st.Query(args...)
	}
	return t.tx.Query(query, args...)
}

// InsertID runs an insert of one row into a table whose key is a column named id and
// returns the new row's id: LastInsertId on SQLite (where "returning" costs a statement
// of its own), "returning id" on PostgreSQL (whose driver has no LastInsertId).
func (t *Tx) InsertID(query string, args ...any) (int64, error) {
	var id int64
	if t.dialect == Postgres {
		err := t.QueryRow(query+" returning id", args...).Scan(&id)
		return id, err
	}
	res, err := t.Exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// AfterCommit runs fn once this write is durable, before Write returns to its caller.
// They do not run when the write fails, and must not block: hand work to a queue rather
// than do it.
//
// Order: on SQLite every write goes through one writer, so the functions of all writes
// run in commit order. On PostgreSQL writes commit concurrently; the functions of writes
// that took the same key with Order run in their commit order, and writes with no key
// in common are not ordered against each other.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// Order makes this write take its place in key's line (e.g. "chat-room:7"): on
// PostgreSQL no other write of this process that orders itself under key runs from here
// until this one has committed and its AfterCommit functions have run, so that writes to
// one room or thread are told in the order they committed. Across processes the rows a
// write locks order the commits, and each node hears of them through its own channel.
// A write orders itself under at most one key, taken before the rows it locks; on SQLite
// (one writer) Order does nothing.
func (t *Tx) Order(key string) {
	if t.dialect != Postgres {
		return
	}
	for _, k := range t.keys {
		if k == key {
			return
		}
	}
	if len(t.keys) > 0 {
		panic(fmt.Sprintf("storage: write ordered under %q takes a second key %q", t.keys[0], key))
	}
	t.db.lines.lock(key)
	t.keys = append(t.keys, key)
}
