package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Each engine has its own numbered files: migrations/sqlite for the embedded shape, and
// migrations/postgres (same numbers, same schema) for the cluster shape.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) { return loadEngineMigrations("sqlite") }

func loadEngineMigrations(engine string) ([]migration, error) {
	dir := "migrations/" + engine
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("storage: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("storage: migration %q must start with a number and '_'", e.Name())
		}
		body, err := migrations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("storage: read %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("storage: migrations %s and %s share a number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// migrate applies, in order and one transaction each, every migration numbered above the
// database's user_version. Numbers may leave gaps, but a new migration always takes a
// number above every shipped one.
func migrate(ctx context.Context, db *sql.DB) error {
	all, err := loadMigrations()
	if err != nil {
		return err
	}
	var current int
	if err := db.QueryRowContext(ctx, "pragma user_version").Scan(&current); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	if latest := all[len(all)-1].version; current > latest {
		return fmt.Errorf("storage: database schema version %d is newer than this binary (%d); run a newer Stoa", current, latest)
	}
	for _, m := range all {
		if m.version <= current {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("storage: begin migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("storage: apply %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("pragma user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("storage: record %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("storage: commit %s: %w", m.name, err)
		}
	}
	return nil
}

// migratePostgres applies, in order and one transaction each, every PostgreSQL migration
// not yet recorded in schema_migrations. Nodes starting together take turns: the first
// migrates while the others wait on an advisory lock, then find nothing left to do.
func migratePostgres(ctx context.Context, db *sql.DB) error {
	all, err := loadEngineMigrations("postgres")
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "select pg_advisory_lock($1)", int64(lockMigrate)); err != nil {
		return fmt.Errorf("storage: migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", int64(lockMigrate))
	if _, err := conn.ExecContext(ctx, `create table if not exists schema_migrations (
		version    bigint primary key,
		name       text not null,
		applied_at bigint not null)`); err != nil {
		return fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "select coalesce(max(version), 0) from schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	if latest := all[len(all)-1].version; current > latest {
		return fmt.Errorf("storage: database schema version %d is newer than this binary (%d); run a newer Stoa", current, latest)
	}
	for _, m := range all {
		if m.version <= current {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("storage: begin migration %s: %w", m.name, err)
		}
		// No arguments: pgx sends it as one simple query, so a file may hold many statements.
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("storage: apply postgres/%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "insert into schema_migrations(version, name, applied_at) values ($1, $2, $3)",
			m.version, m.name, time.Now().Unix()); err != nil {
			tx.Rollback()
			return fmt.Errorf("storage: record %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("storage: commit %s: %w", m.name, err)
		}
	}
	return nil
}

// MigrationsDigest names the schema that engine's migrations build: a hash of every
// migration file's name and text. Tests key databases they keep migrated on it.
func MigrationsDigest(engine Dialect) (string, error) {
	all, err := loadEngineMigrations(engine.String())
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range all {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", m.name, len(m.sql), m.sql)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
