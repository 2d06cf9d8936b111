package account

import (
	"context"
	"stoa/storage"
)

// DataSource is one package's share of a member's data, for the export and the account
// deletion that P15 promises. Packages above account (forum, chat, moderation) implement
// it; the server registers each with AddDataSource.
type DataSource interface {
	// ExportUser hands the member's records to put, each under a file name such as
	// "posts.json"; put streams them into the export archive.
	ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error
	// EraseUser removes the member's content inside tx when erase is true, or keeps it
	// attributed to "former member" when false.
	EraseUser(tx *storage.Tx, userID int64, erase bool) error
}

// AddDataSource registers a package's share of members' data.
func (s *Service) AddDataSource(ds DataSource) { s.dataSources = append(s.dataSources, ds) }

// DataSources returns every registered share of members' data.
func (s *Service) DataSources() []DataSource { return s.dataSources }
