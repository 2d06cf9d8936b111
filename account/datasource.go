package account

import (
	"context"

	"stoa/storage"
)

// DataSource is one package's share of a member's data, for the export and the account
// deletion that P15 promises. Packages above account (forum, chat, moderation), beside it
// (privacy) and below it (the mail outbox) implement it; the server lists them all in
// Options.DataSources.
type DataSource interface {
	// ExportUser hands the member's records to put, each under a file name such as
	// "posts.json"; put streams them into the export archive.
	ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error
	// EraseUser removes the member's content inside tx when erase is true, or keeps it
	// attributed to "former member" when false.
	EraseUser(tx *storage.Tx, userID int64, erase bool) error
}
