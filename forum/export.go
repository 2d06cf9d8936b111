package forum

import (
	"context"
	"time"

	"stoa/account"
	"stoa/storage"
)

// dataSource is the forum's share of a member's data (P15): the threads they started and
// every post they wrote, with earlier versions, and the choices they made: reactions and
// watched threads. Reading positions are left out of the export: they say nothing the
// member wrote or chose.
type dataSource struct{ s *Service }

var _ account.ErasePlanner = dataSource{}

// DataSource is the forum's share of a member's data for the export and account deletion.
func (s *Service) DataSource() account.DataSource { return dataSource{s} }

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

// exportedReaction is one reaction in a member's data export.
type exportedReaction struct {
	Post      string    `json:"post"`
	Reaction  string    `json:"reaction"`
	CreatedAt time.Time `json:"created_at"`
}

// exportedWatch is a thread a member watches or stopped watching.
type exportedWatch struct {
	Thread   string `json:"thread"`
	Watching bool   `json:"watching"`
}

// ExportUser hands over threads.json, posts.json, reactions.json and
// watched_threads.json.
func (d dataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	store := d.s.store
	threads, err := store.memberThreads(ctx, userID)
	if err != nil {
		return err
	}
	if err := put("threads.json", threads); err != nil {
		return err
	}
	posts, err := store.memberPosts(ctx, userID)
	if err != nil {
		return err
	}
	for i := range posts {
		if posts[i].EditedAt == nil {
			continue
		}
		revs, err := store.Revisions(ctx, posts[i].ID)
		if err != nil {
			return err
		}
		for _, r := range revs {
			posts[i].EarlierVersion = append(posts[i].EarlierVersion, exportedVersion{Markdown: r.Source, SavedAt: r.CreatedAt})
		}
	}
	if err := put("posts.json", posts); err != nil {
		return err
	}
	reactions, err := store.memberReactions(ctx, userID, d.s.baseURL)
	if err != nil {
		return err
	}
	if err := put("reactions.json", reactions); err != nil {
		return err
	}
	watches, err := store.memberWatches(ctx, userID, d.s.baseURL)
	if err != nil {
		return err
	}
	return put("watched_threads.json", watches)
}

// EraseUser removes the member's reactions, watches and reading positions: reactions go
// even when their posts are kept, as a count with nobody behind it would mislead. With
// erase their posts go too: text and earlier versions are emptied and each row stays as
// "deleted" so that other posts keep their numbers; a thread they started is deleted
// when nobody else replied, and otherwise loses its title and opening text but keeps the
// others' replies. Without erase the posts stay: pages show the account, now emptied,
// as "former-member".
func (d dataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	if err := d.s.store.eraseMemberChoices(tx, userID); err != nil {
		return err
	}
	if !erase {
		return nil
	}
	return d.s.store.eraseMemberPosts(tx, userID, d.s.now())
}

// PurgeDeleted empties posts deleted before cutoff, and their earlier versions, keeping
// each row so that the thread's numbering holds (P3: deleted content is kept only while
// moderators may need to review it). Titles of threads deleted before cutoff go too.
func (s *Service) PurgeDeleted(ctx context.Context, cutoff time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.purgeDeleted(tx, cutoff) })
}
