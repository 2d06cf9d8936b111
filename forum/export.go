package forum

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"stoa/account"
	"stoa/storage"
)

// DataSource is the forum's share of a member's data for the export and account deletion
// (P15): the threads they started and every post they wrote, with earlier versions.
func (s *Service) DataSource() account.DataSource { return dataSource{s} }

type dataSource struct{ s *Service }

type exportedPost struct {
	ID             int64             `json:"id"`
	URL            string            `json:"url"`
	Thread         string            `json:"thread"`
	Number         int               `json:"number"`
	Markdown       string            `json:"markdown"`
	CreatedAt      time.Time         `json:"created_at"`
	EditedAt       *time.Time        `json:"edited_at,omitempty"`
	Hidden         bool              `json:"hidden_by_moderators,omitempty"`
	Deleted        bool              `json:"deleted,omitempty"`
	EarlierVersion []exportedVersion `json:"earlier_versions,omitempty"`
}

type exportedVersion struct {
	Markdown string    `json:"markdown"`
	SavedAt  time.Time `json:"saved_at"`
}

type exportedThread struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Category  string    `json:"category"`
	CreatedAt time.Time `json:"created_at"`
	Replies   int       `json:"replies"`
	Deleted   bool      `json:"deleted,omitempty"`
}

// ExportUser hands over threads.json and posts.json.
func (d dataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	db := d.s.db.Read()
	rows, err := db.QueryContext(ctx, `select t.id, t.slug, t.title, c.name, t.created_at, t.post_count, t.deleted_at is not null
		from threads t join categories c on c.id = t.category_id where t.author_id = ? order by t.id`, userID)
	if err != nil {
		return fmt.Errorf("forum: export threads of %d: %w", userID, err)
	}
	threads := []exportedThread{}
	for rows.Next() {
		var t exportedThread
		var slug string
		var at int64
		if err := rows.Scan(&t.ID, &slug, &t.Title, &t.Category, &at, &t.Replies, &t.Deleted); err != nil {
			rows.Close()
			return fmt.Errorf("forum: export threads of %d: %w", userID, err)
		}
		t.URL, t.CreatedAt, t.Replies = fmt.Sprintf("/t/%d/%s", t.ID, slug), time.Unix(at, 0).UTC(), max(0, t.Replies-1)
		threads = append(threads, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := put("threads.json", threads); err != nil {
		return err
	}

	rows, err = db.QueryContext(ctx, `select p.id, t.title, p.number, p.source, p.created_at, p.edited_at,
		p.hidden_at is not null, p.deleted_at is not null
		from posts p join threads t on t.id = p.thread_id where p.author_id = ? order by p.id`, userID)
	if err != nil {
		return fmt.Errorf("forum: export posts of %d: %w", userID, err)
	}
	posts := []exportedPost{}
	for rows.Next() {
		var p exportedPost
		var at int64
		var edited sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Thread, &p.Number, &p.Markdown, &at, &edited, &p.Hidden, &p.Deleted); err != nil {
			rows.Close()
			return fmt.Errorf("forum: export posts of %d: %w", userID, err)
		}
		p.URL, p.CreatedAt = fmt.Sprintf("/p/%d", p.ID), time.Unix(at, 0).UTC()
		if edited.Valid {
			t := time.Unix(edited.Int64, 0).UTC()
			p.EditedAt = &t
		}
		posts = append(posts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range posts {
		if posts[i].EditedAt == nil {
			continue
		}
		revs, err := d.s.store.Revisions(ctx, posts[i].ID)
		if err != nil {
			return err
		}
		for _, r := range revs {
			posts[i].EarlierVersion = append(posts[i].EarlierVersion, exportedVersion{Markdown: r.Source, SavedAt: r.CreatedAt})
		}
	}
	return put("posts.json", posts)
}

// EraseUser erases the member's posts when erase is set: their text and earlier versions
// go, and each row stays as "deleted" so that other posts keep their numbers. A thread
// they started is deleted when nobody else replied, and otherwise loses its title and
// opening text but keeps the others' replies. Without erase nothing changes here: pages
// show the account, now emptied, as "former-member".
func (d dataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	if !erase {
		return nil
	}
	now := d.s.now().Unix()
	steps := []struct {
		query string
		args  []any
	}{
		{`delete from post_revisions where post_id in (select id from posts where author_id = ?)`, []any{userID}},
		{`update threads set deleted_at = coalesce(deleted_at, ?) where author_id = ?
			and not exists (select 1 from posts p where p.thread_id = threads.id and p.author_id != ? and p.deleted_at is null)`,
			[]any{now, userID, userID}},
		{`update threads set title = '(title removed)', slug = 'thread' where author_id = ?`, []any{userID}},
		{`update posts set source = '', html = '', edited_at = null, submit_token = null, deleted_at = coalesce(deleted_at, ?)
			where author_id = ?`, []any{now, userID}},
		{`update threads set post_count = (select count(*) from posts p where p.thread_id = threads.id and p.deleted_at is null)
			where id in (select thread_id from posts where author_id = ?)`, []any{userID}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(st.query, st.args...); err != nil {
			return fmt.Errorf("forum: erase posts of %d: %w", userID, err)
		}
	}
	return nil
}

// PurgeDeleted empties posts deleted before cutoff, and their earlier versions, keeping
// each row so that the thread's numbering holds (P3: deleted content is kept only while
// moderators may need to review it). Titles of threads deleted before cutoff go too.
func (s *Service) PurgeDeleted(ctx context.Context, cutoff time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`delete from post_revisions where post_id in (select id from posts where deleted_at < ?)`,
			`update posts set source = '', html = '', submit_token = null where deleted_at < ? and (source != '' or html != '')`,
			`update threads set title = '(deleted thread)', slug = 'thread' where deleted_at < ? and title != '(deleted thread)'`,
		} {
			if _, err := tx.Exec(q, cutoff.Unix()); err != nil {
				return fmt.Errorf("forum: purge deleted content: %w", err)
			}
		}
		return nil
	})
}
