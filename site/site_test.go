package site_test

import (
	"context"
	"testing"

	"stoa/site"
	"stoa/storage"
	"stoa/storage/storagetest"
)

func open(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// The settings are kept in the database: a restarted site has the name its admin chose,
// and a refused change leaves the old settings as they were.
func TestSettingsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := storagetest.Target(t, storagetest.Engine()) // reopened below
	db := open(t, path)
	s, err := site.New(ctx, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Info(); got.Name != site.DefaultName || got.Saved {
		t.Fatalf("fresh settings: %+v", got)
	}
	var recorded []string
	record := func(_ *storage.Tx, a site.Actor, summary string) error {
		recorded = append(recorded, a.Name+": "+summary)
		return nil
	}
	if err := s.Save(ctx, site.Actor{ID: 1, Name: "root"}, site.Change{Name: " Allotment Friends ", Description: "Growing food."}, record); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, site.Actor{ID: 1, Name: "root"}, site.Change{Name: ""}, record); err == nil {
		t.Fatal("an empty name was accepted")
	}
	if err := s.SetChecklistDismissed(ctx, true); err != nil {
		t.Fatal(err)
	}
	if len(recorded) != 1 || recorded[0] != "root: Site name set to “Allotment Friends”" {
		t.Errorf("recorded %q", recorded)
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	s, err = site.New(ctx, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := site.Info{Name: "Allotment Friends", Description: "Growing food.", Saved: true, ChecklistDismissed: true, Automod: site.DefaultAutomod()}
	if got := s.Info(); got != want {
		t.Errorf("after a restart: %+v, want %+v", got, want)
	}
}
