package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Moving an embedded community to PostgreSQL (`stoa migrate-data`): every table of the
// SQLite database in --data is copied, ids kept, into an empty PostgreSQL database in
// one transaction, and then read back and compared, table by table, by row count and a
// checksum of its content.
//
// The PostgreSQL schema drives everything: its tables (minus the migrations' own
// bookkeeping) are what is copied, its column types say how each SQLite value is
// converted, its foreign keys the order of the tables. A SQLite table without a
// PostgreSQL twin, or a column on one side only, stops the copy before it starts, so a
// future migration's table cannot be forgotten silently. Search needs nothing extra:
// post_search and chat_search (FTS5 tables on SQLite) are copied like the others, by
// rowid and text, and PostgreSQL computes their tsvector columns, which are generated.

// TableSum is what one table holds: its row count and a SHA-256 over its rows in
// primary-key order, each value in a canonical form for its PostgreSQL column type, so
// that the same rows give the same sum on either engine.
type TableSum struct {
	Table string
	Rows  int64
	Sum   string
}

// ErrTargetNotEmpty is returned by CopyToPostgres when the target already holds data.
var ErrTargetNotEmpty = errors.New("the PostgreSQL database is not empty")

// MismatchError is returned by VerifyPostgres when a table differs from the source.
type MismatchError struct {
	Table     string
	Want, Got TableSum
}

func (e *MismatchError) Error() string {
	if e.Want.Rows != e.Got.Rows {
		return fmt.Sprintf("storage: verify: table %s has %d rows in PostgreSQL, %d in SQLite", e.Table, e.Got.Rows, e.Want.Rows)
	}
	return fmt.Sprintf("storage: verify: table %s: the content differs between SQLite and PostgreSQL (checksum %s, want %s)",
		e.Table, e.Got.Sum[:12], e.Want.Sum[:12])
}

// MigrateToPostgres copies the SQLite database at src into the empty PostgreSQL
// database dst (creating its schema first) and verifies the copy; progress, if not nil,
// hears of each table as it is copied.
func MigrateToPostgres(ctx context.Context, src, dst string, progress func(TableSum)) ([]TableSum, error) {
	sums, err := CopyToPostgres(ctx, src, dst, progress)
	if err != nil {
		return nil, err
	}
	return sums, VerifyPostgres(ctx, dst, sums)
}

// CopyToPostgres copies every table of the SQLite database at src into dst in one
// PostgreSQL transaction: a failure leaves dst as empty as it was. src is read in one
// read transaction, a consistent snapshot even if a server is writing. It returns the
// source's sums, computed on the rows as they were copied.
func CopyToPostgres(ctx context.Context, src, dst string, progress func(TableSum)) ([]TableSum, error) {
	if !IsPostgresURL(dst) {
		return nil, fmt.Errorf("storage: the target must be a postgres:// URL, not %q", dst)
	}
	source, err := openSource(ctx, src)
	if err != nil {
		return nil, err
	}
	defer source.close()

	// The schema first, with the binary's migrations, exactly as a node would create it.
	db, err := Open(ctx, dst, Options{MaxConns: 2})
	if err != nil {
		return nil, err
	}
	db.Close()
	conn, err := pgx.Connect(ctx, dst)
	if err != nil {
		return nil, fmt.Errorf("storage: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	tables, err := pgTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := source.match(ctx, tables); err != nil {
		return nil, err
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// A node running without NATS on the target holds this lock for as long as it runs.
	var free bool
	if err := tx.QueryRow(ctx, "select pg_try_advisory_xact_lock($1)", int64(lockSingleNode)).Scan(&free); err != nil {
		return nil, fmt.Errorf("storage: lock the target: %w", err)
	}
	if !free {
		return nil, fmt.Errorf("%w: a Stoa node is running on it; stop it first", ErrTargetNotEmpty)
	}
	seeds, err := targetSeeds(ctx, tx, tables)
	if err != nil {
		return nil, err
	}

	var sums []TableSum
	for _, t := range tables {
		sum, err := copyTable(ctx, source, tx, t, seeds[t.name])
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(sum)
		}
		sums = append(sums, sum)
	}
	if err := resetSequences(ctx, tx, tables); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storage: commit the copy: %w", err)
	}
	return sums, nil
}

// VerifyPostgres reads every table of dst back and compares its row count and checksum
// with want; the first table that differs is returned as a *MismatchError.
func VerifyPostgres(ctx context.Context, dst string, want []TableSum) error {
	conn, err := pgx.Connect(ctx, dst)
	if err != nil {
		return fmt.Errorf("storage: verify: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tables, err := pgTables(ctx, conn)
	if err != nil {
		return err
	}
	byName := map[string]pgTable{}
	for _, t := range tables {
		byName[t.name] = t
	}
	if len(want) != len(tables) {
		return fmt.Errorf("storage: verify: PostgreSQL has %d tables, the copy had %d", len(tables), len(want))
	}
	// One snapshot for every table.
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("storage: verify: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, w := range want {
		t, ok := byName[w.Table]
		if !ok {
			return fmt.Errorf("storage: verify: table %s is missing in PostgreSQL", w.Table)
		}
		got, err := sumPostgres(ctx, tx, t)
		if err != nil {
			return err
		}
		if got != w {
			return &MismatchError{Table: w.Table, Want: w, Got: got}
		}
	}
	return nil
}

// A column's kind: how a value is converted and written in the canonical form.
type kind byte

const (
	kInt   kind = 'i'
	kText  kind = 't'
	kBytes kind = 'b'
	kBool  kind = 'o'
	kFloat kind = 'f'
)

func kindOf(pgType string) (kind, bool) {
	switch pgType {
	case "bigint", "integer", "smallint":
		return kInt, true
	case "text", "character varying", "character":
		return kText, true
	case "bytea":
		return kBytes, true
	case "boolean":
		return kBool, true
	case "double precision", "real":
		return kFloat, true
	}
	return 0, false
}

type pgColumn struct {
	name   string
	pgType string
	kind   kind
}

type pgTable struct {
	name string
	cols []pgColumn // stored columns, without generated ones (computed by PostgreSQL)
	key  []string   // primary key; every column when there is none
}

func (t pgTable) colNames() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

func (t pgTable) kindOf(col string) kind {
	for _, c := range t.cols {
		if c.name == col {
			return c.kind
		}
	}
	return kInt
}

// orderBy sorts by the key in byte order on both engines: text in the "C" collation on
// PostgreSQL, which compares bytes as SQLite's binary collation does.
func (t pgTable) orderBy(textCollation string) string {
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		parts[i] = quoteIdent(k)
		if t.kindOf(k) == kText {
			parts[i] += " collate " + textCollation
		}
	}
	return strings.Join(parts, ", ")
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// pgTables lists the target's tables with their stored columns, in an order where every
// table comes after the tables its foreign keys point to.
func pgTables(ctx context.Context, conn *pgx.Conn) ([]pgTable, error) {
	rows, err := conn.Query(ctx, `select c.relname, a.attname, format_type(a.atttypid, null), a.attgenerated <> ''
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations'
		order by c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("storage: read the PostgreSQL schema: %w", err)
	}
	byName := map[string]*pgTable{}
	var names []string
	for rows.Next() {
		var table, col, typ string
		var generated bool
		if err := rows.Scan(&table, &col, &typ, &generated); err != nil {
			return nil, fmt.Errorf("storage: read the PostgreSQL schema: %w", err)
		}
		t := byName[table]
		if t == nil {
			t = &pgTable{name: table}
			byName[table] = t
			names = append(names, table)
		}
		if generated {
			continue
		}
		k, ok := kindOf(typ)
		if !ok {
			rows.Close()
			return nil, fmt.Errorf("storage: column %s.%s has type %s, which migrate-data cannot copy yet (storage/copy.go)", table, col, typ)
		}
		t.cols = append(t.cols, pgColumn{name: col, pgType: typ, kind: k})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: read the PostgreSQL schema: %w", err)
	}

	rows, err = conn.Query(ctx, `select c.relname, a.attname
		from pg_index i
		join pg_class c on c.oid = i.indrelid
		join pg_namespace n on n.oid = c.relnamespace
		join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
		where i.indisprimary and n.nspname = current_schema()
		order by c.relname, array_position(i.indkey::int2[], a.attnum)`)
	if err != nil {
		return nil, fmt.Errorf("storage: read primary keys: %w", err)
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, fmt.Errorf("storage: read primary keys: %w", err)
		}
		if t := byName[table]; t != nil {
			t.key = append(t.key, col)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: read primary keys: %w", err)
	}

	deps := map[string][]string{}
	rows, err = conn.Query(ctx, `select c.relname, r.relname
		from pg_constraint k
		join pg_class c on c.oid = k.conrelid
		join pg_class r on r.oid = k.confrelid
		join pg_namespace n on n.oid = c.relnamespace
		where k.contype = 'f' and n.nspname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("storage: read foreign keys: %w", err)
	}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("storage: read foreign keys: %w", err)
		}
		// A table pointing to itself (sanctions.replaced_by) is copied by one COPY
		// statement, and PostgreSQL checks its foreign keys at the end of the statement.
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: read foreign keys: %w", err)
	}

	var out []pgTable
	state := map[string]int{} // 1: being placed, 2: placed
	var place func(string) error
	place = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("storage: the foreign keys of table %s form a cycle; migrate-data cannot order it", name)
		case 2:
			return nil
		}
		state[name] = 1
		sort.Strings(deps[name])
		for _, d := range deps[name] {
			if byName[d] == nil {
				continue
			}
			if err := place(d); err != nil {
				return err
			}
		}
		state[name] = 2
		t := byName[name]
		if len(t.key) == 0 {
			t.key = t.colNames()
		}
		out = append(out, *t)
		return nil
	}
	for _, name := range names {
		if err := place(name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// source is the SQLite database being copied, inside one read transaction.
type source struct {
	db *sql.DB
	tx *sql.Tx
}

func openSource(ctx context.Context, path string) (*source, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("storage: there is no Stoa database at %s (is --data right?)", path)
		}
		return nil, fmt.Errorf("storage: %w", err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s := &source{db: db}
	// The read transaction begins at its first read and holds that snapshot to the end.
	if s.tx, err = db.BeginTx(ctx, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	var version int
	if err := s.tx.QueryRowContext(ctx, "pragma user_version").Scan(&version); err != nil {
		s.close()
		return nil, fmt.Errorf("storage: %s is not a Stoa database: %w", path, err)
	}
	all, err := loadMigrations()
	if err != nil {
		s.close()
		return nil, err
	}
	if latest := all[len(all)-1].version; version != latest {
		s.close()
		if version == 0 {
			return nil, fmt.Errorf("storage: %s is not a Stoa database (it has no schema version)", path)
		}
		return nil, fmt.Errorf("storage: the database in %s has schema version %d and this Stoa has %d: "+
			"start this version of stoa serve on it once (it migrates at start), stop it, then migrate the data", path, version, latest)
	}
	return s, nil
}

func (s *source) close() {
	if s.tx != nil {
		s.tx.Rollback()
	}
	s.db.Close()
}

// fts5Shadow matches the tables FTS5 keeps for each virtual table; they are the
// engine's, copied as the virtual table's rows.
var fts5Shadow = regexp.MustCompile(`_(data|idx|content|docsize|config)$`)

// match checks that the two schemas hold the same tables and columns.
func (s *source) match(ctx context.Context, tables []pgTable) error {
	rows, err := s.tx.QueryContext(ctx, `select name, type from sqlite_schema where type = 'table' and name not like 'sqlite\_%' escape '\'`)
	if err != nil {
		return fmt.Errorf("storage: read the SQLite schema: %w", err)
	}
	lite := map[string]bool{}
	var virtual []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return fmt.Errorf("storage: read the SQLite schema: %w", err)
		}
		lite[name] = true
	}
	rows.Close()
	rows, err = s.tx.QueryContext(ctx, `select name from sqlite_schema where type = 'table' and sql like 'create virtual table%'`)
	if err != nil {
		return fmt.Errorf("storage: read the SQLite schema: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("storage: read the SQLite schema: %w", err)
		}
		virtual = append(virtual, name)
	}
	rows.Close()
	for _, v := range virtual {
		for name := range lite {
			if strings.HasPrefix(name, v+"_") && fts5Shadow.MatchString(name) {
				delete(lite, name)
			}
		}
	}
	pg := map[string]bool{}
	for _, t := range tables {
		pg[t.name] = true
		if !lite[t.name] {
			return fmt.Errorf("storage: table %s is in PostgreSQL's schema but not in the SQLite database", t.name)
		}
		cols, err := s.columns(ctx, t.name)
		if err != nil {
			return err
		}
		for _, c := range t.cols {
			if !cols[c.name] && c.name != "rowid" {
				return fmt.Errorf("storage: column %s.%s is in PostgreSQL's schema but not in the SQLite database", t.name, c.name)
			}
			delete(cols, c.name)
		}
		for c := range cols {
			return fmt.Errorf("storage: column %s.%s of the SQLite database has no PostgreSQL twin; its data would be lost", t.name, c)
		}
	}
	var missing []string
	for name := range lite {
		if !pg[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("storage: the SQLite database has tables without a PostgreSQL twin: %s", strings.Join(missing, ", "))
	}
	return nil
}

func (s *source) columns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.tx.QueryContext(ctx, "select name from pragma_table_info(?)", table)
	if err != nil {
		return nil, fmt.Errorf("storage: read columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("storage: read columns of %s: %w", table, err)
		}
		out[name] = true
	}
	return out, rows.Err()
}

// seedTable matches the tables that migrations fill themselves.
var seedTable = regexp.MustCompile(`(?i)\binsert\s+into\s+(\w+)`)

// targetSeeds checks that the target holds no community data, and returns the rows it
// does hold, by table, in canonical form. Migrations insert a few rows themselves (the
// audited actions, into audit_actions, whose rows PostgreSQL refuses to delete); the
// SQLite migrations insert the same rows, so the source has them too. A table that the
// PostgreSQL migrations insert into may therefore hold rows, but only rows the source
// holds as well: those are not copied again. Any other row in any table means the
// database is in use (or was), and the copy is refused before it writes anything.
func targetSeeds(ctx context.Context, tx pgx.Tx, tables []pgTable) (map[string]map[string]bool, error) {
	pgMigrations, err := loadEngineMigrations("postgres")
	if err != nil {
		return nil, err
	}
	seeded := map[string]bool{}
	for _, m := range pgMigrations {
		for _, match := range seedTable.FindAllStringSubmatch(m.sql, -1) {
			seeded[strings.ToLower(match[1])] = true
		}
	}
	out := map[string]map[string]bool{}
	var used []string
	for _, t := range tables {
		var any bool
		if err := tx.QueryRow(ctx, "select exists (select 1 from "+quoteIdent(t.name)+")").Scan(&any); err != nil {
			return nil, fmt.Errorf("storage: check that table %s is empty: %w", t.name, err)
		}
		if !any {
			continue
		}
		if !seeded[t.name] {
			used = append(used, t.name)
			continue
		}
		set := map[string]bool{}
		err := scanPostgres(ctx, tx, t, func(row []byte) { set[string(row)] = true })
		if err != nil {
			return nil, err
		}
		out[t.name] = set
	}
	if len(used) > 0 {
		return nil, fmt.Errorf("%w: tables %s hold rows; migrate-data copies into an empty database only "+
			"(create a new one with createdb, or drop this one's tables)", ErrTargetNotEmpty, strings.Join(used, ", "))
	}
	return out, nil
}

// rowSource feeds COPY from the SQLite rows, converting each value to its PostgreSQL
// column's type, and sums every row on the way (the rows the target already holds are
// summed but not copied).
type rowSource struct {
	t      pgTable
	rows   *sql.Rows
	skip   map[string]bool
	scan   []any
	vals   []any
	buf    []byte
	h      hash.Hash
	n      int64
	copied int64
	err    error
}

func (r *rowSource) Next() bool {
	for r.rows.Next() {
		if err := r.rows.Scan(r.scan...); err != nil {
			r.err = err
			return false
		}
		r.buf = r.buf[:0]
		for i, c := range r.t.cols {
			v, err := convert(c.kind, *(r.scan[i].(*any)))
			if err != nil {
				r.err = fmt.Errorf("column %s: %w", c.name, err)
				return false
			}
			r.vals[i] = v
			r.buf = appendCanonical(r.buf, c.kind, v)
		}
		writeRow(r.h, r.buf)
		r.n++
		if r.skip != nil && r.skip[string(r.buf)] {
			delete(r.skip, string(r.buf))
			continue
		}
		r.copied++
		return true
	}
	r.err = r.rows.Err()
	return false
}

func (r *rowSource) Values() ([]any, error) { return r.vals, nil }

func (r *rowSource) Err() error { return r.err }

func copyTable(ctx context.Context, s *source, tx pgx.Tx, t pgTable, seed map[string]bool) (TableSum, error) {
	cols := t.colNames()
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = quoteIdent(c)
	}
	rows, err := s.tx.QueryContext(ctx, "select "+strings.Join(sel, ", ")+" from "+quoteIdent(t.name)+" order by "+t.orderBy("binary"))
	if err != nil {
		return TableSum{}, fmt.Errorf("storage: read table %s: %w", t.name, err)
	}
	defer rows.Close()
	src := &rowSource{t: t, rows: rows, skip: seed, scan: make([]any, len(cols)), vals: make([]any, len(cols)), h: sha256.New()}
	for i := range src.scan {
		src.scan[i] = new(any)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, src); err != nil {
		return TableSum{}, fmt.Errorf("storage: copy table %s (after %d rows): %w", t.name, src.n, err)
	}
	if len(src.skip) > 0 {
		return TableSum{}, fmt.Errorf("%w: table %s holds %d rows that the SQLite database does not", ErrTargetNotEmpty, t.name, len(src.skip))
	}
	return TableSum{Table: t.name, Rows: src.n, Sum: hex.EncodeToString(src.h.Sum(nil))}, nil
}

// resetSequences sets every identity (and serial) column's sequence past the largest id
// copied, so that the next row gets a fresh id.
func resetSequences(ctx context.Context, tx pgx.Tx, tables []pgTable) error {
	for _, t := range tables {
		for _, c := range t.cols {
			if c.kind != kInt {
				continue
			}
			var seq *string
			if err := tx.QueryRow(ctx, "select pg_get_serial_sequence($1, $2)", quoteIdent(t.name), c.name).Scan(&seq); err != nil {
				return fmt.Errorf("storage: find the sequence of %s.%s: %w", t.name, c.name, err)
			}
			if seq == nil {
				continue
			}
			q := fmt.Sprintf("select setval($1, coalesce((select max(%s) from %s), 0) + 1, false)", quoteIdent(c.name), quoteIdent(t.name))
			if _, err := tx.Exec(ctx, q, *seq); err != nil {
				return fmt.Errorf("storage: reset the sequence of %s.%s: %w", t.name, c.name, err)
			}
		}
	}
	return nil
}

// scanPostgres reads t in key order and hands each row's canonical form to fn.
func scanPostgres(ctx context.Context, tx pgx.Tx, t pgTable, fn func(row []byte)) error {
	cols := t.colNames()
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = quoteIdent(c)
	}
	rows, err := tx.Query(ctx, "select "+strings.Join(sel, ", ")+" from "+quoteIdent(t.name)+" order by "+t.orderBy(`"C"`))
	if err != nil {
		return fmt.Errorf("storage: read table %s: %w", t.name, err)
	}
	defer rows.Close()
	var buf []byte
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("storage: read table %s: %w", t.name, err)
		}
		buf = buf[:0]
		for i, c := range t.cols {
			v, err := convert(c.kind, vals[i])
			if err != nil {
				return fmt.Errorf("storage: read table %s, column %s: %w", t.name, c.name, err)
			}
			buf = appendCanonical(buf, c.kind, v)
		}
		fn(buf)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: read table %s: %w", t.name, err)
	}
	return nil
}

func sumPostgres(ctx context.Context, tx pgx.Tx, t pgTable) (TableSum, error) {
	h := sha256.New()
	var n int64
	err := scanPostgres(ctx, tx, t, func(row []byte) {
		writeRow(h, row)
		n++
	})
	if err != nil {
		return TableSum{}, err
	}
	return TableSum{Table: t.name, Rows: n, Sum: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeRow(h hash.Hash, row []byte) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(row)))])
	h.Write(row)
}

// convert turns a value read from either engine into the Go value of a column of kind
// k: SQLite keeps flags and times as integers and may hand back text for any column;
// PostgreSQL's integer columns come back as int16, int32 or int64.
func convert(k kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case bool:
			return boolInt(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
				return int64(x), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
		case []byte:
			if n, err := strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64); err == nil {
				return n, nil
			}
		}
	case kText:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
	case kBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case kBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
	case kFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case int64:
			return float64(x), nil
		}
	}
	return nil, fmt.Errorf("cannot convert %T %v to a %s column", v, shorten(v), kindName(k))
}

func kindName(k kind) string {
	switch k {
	case kInt:
		return "integer"
	case kText:
		return "text"
	case kBytes:
		return "bytea"
	case kBool:
		return "boolean"
	}
	return "double precision"
}

func shorten(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// appendCanonical writes v (already converted to kind k) in a form that does not depend
// on the engine it came from: a tag, then the length and bytes of its text.
func appendCanonical(buf []byte, k kind, v any) []byte {
	if v == nil {
		return append(buf, 0)
	}
	var s []byte
	switch x := v.(type) {
	case int64:
		s = strconv.AppendInt(nil, x, 10)
	case string:
		s = []byte(x)
	case []byte:
		s = x
	case bool:
		s = strconv.AppendBool(nil, x)
	case float64:
		s = strconv.AppendFloat(nil, x, 'g', -1, 64)
	}
	buf = append(buf, byte(k))
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}
