package storage

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statement cache; queries are written in code, so the set is
// small, but a query built from many filters must not grow it without end.
const maxCachedStmts = 512

// stmtCache keeps one prepared statement per query text. Without it SQLite parses and
// plans every query on every call, which measured 15-20% of server CPU on the thread page,
// posting and chat ingest.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// pending holds writer queries seen inside a transaction: the single writer
	// connection is busy then, so they are prepared after the commit.
	pending map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// cached returns the statement for query if it was prepared already.
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// want notes a query to prepare once the writer connection is free.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	if len(c.stmts)+len(c.pending) < maxCachedStmts {
		c.pending[query] = true
	}
	c.mu.Unlock()
}

// preparePending prepares the queries noted during the last batch; the writer calls it
// between transactions, when its connection is free.
func (c *stmtCache) preparePending() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.pending {
		delete(c.pending, q)
		if st, err := c.db.Prepare(q); err == nil {
			c.stmts[q] = st
		}
	}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st := c.stmts[query]
	c.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[query]; st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) < maxCachedStmts {
		c.stmts[query] = st
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// QueryRow runs a read query through a cached prepared statement.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.dialect == Postgres {
		return db.read.QueryRowContext(ctx, db.rebind.rebind(query), pgArgs(args)...)
	}
	st, err := db.readStmts.get(ctx, query)
	if err != nil {
		// Let database/sql report the error through the Row, as an ad-hoc query would.
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Query runs a read query through a cached prepared statement.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.dialect == Postgres {
		return db.read.QueryContext(ctx, db.rebind.rebind(query), pgArgs(args)...)
	}
	st, err := db.readStmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
