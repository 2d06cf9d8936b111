package storage

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3" // built with -tags sqlite_fts5
)

// Dialect names the database engine behind a DB. Stores ask it only where the engines
// differ in SQL (full-text search, row locks); everything else is written once, with `?`
// placeholders, and runs on both.
type Dialect int

const (
	// SQLite is the embedded engine: one file in --data, one writer.
	SQLite Dialect = iota
	// Postgres is the cluster engine: a shared PostgreSQL database, pooled writers.
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether target names a PostgreSQL database rather than a file.
func IsPostgresURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// rebinder turns the `?` placeholders stores write into PostgreSQL's $1, $2, …, once per
// query text. A `?` inside a quoted literal, quoted identifier or comment is left alone.
type rebinder struct{ cache sync.Map }

func (r *rebinder) rebind(query string) string {
	if q, ok := r.cache.Load(query); ok {
		return q.(string)
	}
	out := rebindQuery(query)
	r.cache.Store(query, out)
	return out
}

func rebindQuery(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(query))
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure, such as a
// duplicate submit token, on either engine.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// isRetryable reports whether a PostgreSQL transaction failed only because it ran beside
// another (a deadlock or a serialization failure) and may simply run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgArgs adapts arguments written for SQLite, where flags are integers, to PostgreSQL:
// a Go bool becomes 0 or 1, which is what every flag column holds. Conditions that take
// a flag as a boolean compare it (`? = 1`), so one form serves both engines.
func pgArgs(args []any) []any {
	var out []any // a copy, made at the first bool: the caller's slice is never changed
	for i, a := range args {
		v, ok := a.(bool)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = boolInt(v)
	}
	if out == nil {
		return args
	}
	return out
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
