package site

import (
	"context"
	"fmt"
	"strconv"

	"stoa/storage"
)

// The settings' names in site_settings.
const (
	keyName               = "name"
	keyDescription        = "description"
	keyChecklistDismissed = "checklist_dismissed"
	// keyNameReservationDays: days a deleted account's username stays reserved.
	keyNameReservationDays = "name_reservation_days"
	keyNewMemberPosts      = "automod_new_member_posts"
	keyAutoHideReports     = "automod_auto_hide_reports"
	keyDuplicateMinutes    = "automod_duplicate_minutes"
)

// Store is the site settings' SQL.
type Store struct{ db *storage.DB }

// NewStore returns a Store on db.
func NewStore(db *storage.DB) *Store { return &Store{db: db} }

// load reads every setting, defaults filled in: the site's Info and how many days a
// deleted account's name stays reserved.
func (s *Store) load(ctx context.Context) (Info, int, error) {
	info, days := Info{Name: DefaultName, Automod: DefaultAutomod()}, DefaultNameReservationDays
	rows, err := s.db.Query(ctx, "select name, value from site_settings")
	if err != nil {
		return info, days, fmt.Errorf("site: load settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return info, days, fmt.Errorf("site: load settings: %w", err)
		}
		switch k {
		case keyName:
			info.Name, info.Saved = v, true
		case keyDescription:
			info.Description = v
		case keyChecklistDismissed:
			info.ChecklistDismissed = v == "1"
		case keyNameReservationDays:
			if n, err := strconv.Atoi(v); err == nil {
				days = n
			}
		case keyNewMemberPosts:
			info.Automod.NewMemberPosts, _ = strconv.Atoi(v)
		case keyAutoHideReports:
			info.Automod.AutoHideReports, _ = strconv.Atoi(v)
		case keyDuplicateMinutes:
			info.Automod.DuplicateMinutes, _ = strconv.Atoi(v)
		}
	}
	return info, days, rows.Err()
}

// set stores one setting inside tx.
func (s *Store) set(tx *storage.Tx, key, value string) error {
	_, err := tx.Exec(`insert into site_settings(name, value) values (?, ?)
		on conflict(name) do update set value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("site: save %s: %w", key, err)
	}
	return nil
}

// keyCluster names the community among the nodes that share this database (bus subjects).
const keyCluster = "cluster_id"

// ClusterID returns the name every node on this database shares, creating it on first
// use; the first node to store one wins and the others read it.
func (s *Store) ClusterID(ctx context.Context, fresh string) (string, error) {
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into site_settings(name, value) values (?, ?) on conflict(name) do nothing`, keyCluster, fresh)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("site: cluster id: %w", err)
	}
	var id string
	if err := s.db.QueryRow(ctx, "select value from site_settings where name = ?", keyCluster).Scan(&id); err != nil {
		return "", fmt.Errorf("site: cluster id: %w", err)
	}
	return id, nil
}
