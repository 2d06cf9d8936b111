package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib" // or the PostgreSQL database of -database
	_ "github.com/mattn/go-sqlite3"    // the database file Stoa wrote, read after it stopped
)

// verification is the outcome of looking for every acknowledged write in the database.
type verification struct {
	Posts, PostsFound       int
	Threads, ThreadsFound   int
	Messages, MessagesFound int
	Missing                 []string // the first few writes that are not there
}

// OK reports whether every acknowledged write was found.
func (v verification) OK() bool {
	return v.PostsFound == v.Posts && v.ThreadsFound == v.Threads && v.MessagesFound == v.Messages
}

func (v *verification) missing(format string, args ...any) {
	if len(v.Missing) < 5 {
		v.Missing = append(v.Missing, fmt.Sprintf(format, args...))
	}
}

// verify opens the stopped server's database read-only and checks that every write the
// server acknowledged is there: replies and threads by their one-time token and id, chat
// messages by id and nonce.
func verify(ctx context.Context, dataDir, database string, posts, threads []ackedPost, msgs []ackedMessage) (verification, error) {
	v := verification{Posts: len(posts), Threads: len(threads), Messages: len(msgs)}
	q := url.Values{"mode": {"ro"}, "_query_only": {"true"}}
	driver, source := "sqlite3", "file:"+filepath.Join(dataDir, "stoa.db")+"?"+q.Encode()
	if database != "" {
		driver, source = "pgx", database
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return v, fmt.Errorf("loadtest: open database: %w", err)
	}
	defer db.Close()

	type row struct{ id, thread int64 }
	byToken := map[string]row{}
	rows, err := db.QueryContext(ctx, "select id, thread_id, submit_token from posts where submit_token is not null")
	if err != nil {
		return v, fmt.Errorf("loadtest: read posts: %w", err)
	}
	for rows.Next() {
		var r row
		var tok string
		if err := rows.Scan(&r.id, &r.thread, &tok); err != nil {
			rows.Close()
			return v, fmt.Errorf("loadtest: read posts: %w", err)
		}
		byToken[tok] = r
	}
	rows.Close()
	for _, p := range posts {
		if r, ok := byToken[p.Token]; ok && r.id == p.ID {
			v.PostsFound++
		} else {
			v.missing("reply %d (token %s)", p.ID, p.Token)
		}
	}
	for _, t := range threads {
		if r, ok := byToken[t.Token]; ok && r.thread == t.ID {
			v.ThreadsFound++
		} else {
			v.missing("thread %d (token %s)", t.ID, t.Token)
		}
	}

	if len(msgs) > 0 {
		nonces := map[int64]string{}
		rows, err := db.QueryContext(ctx, "select id, coalesce(nonce, '') from chat_messages")
		if err != nil {
			return v, fmt.Errorf("loadtest: read chat messages: %w", err)
		}
		for rows.Next() {
			var id int64
			var nonce string
			if err := rows.Scan(&id, &nonce); err != nil {
				rows.Close()
				return v, fmt.Errorf("loadtest: read chat messages: %w", err)
			}
			nonces[id] = nonce
		}
		rows.Close()
		for _, m := range msgs {
			if nonces[m.ID] == m.Nonce {
				v.MessagesFound++
			} else {
				v.missing("chat message %d (nonce %s)", m.ID, m.Nonce)
			}
		}
	}
	return v, nil
}
