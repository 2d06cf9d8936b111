package storage_test

import (
	"context"
	"slices"
	"testing"

	"stoa/storage"
)

// A member's search finds and ranks the same posts on both engines: every word must
// appear, a title match outranks a body match, OR finds either word, a leading - leaves a
// word out, and search syntax typed by the member is text, never an error.
func TestTextSearchFindsAndRanksOnBothEngines(t *testing.T) {
	forEngine(t, func(t *testing.T, db *storage.DB) {
		for _, row := range []struct {
			id          int64
			title, body string
		}{
			{1, "", "the garden gate needs oil"},
			{2, "Garden gate", "how do I fix it"},
			{3, "", "a gate in the wall"},
			{4, "", "compost heap (and worms): AND NEAR the garden"},
		} {
			if err := write(t, db, "insert into post_search(rowid, title, body) values (?, ?, ?)", row.id, row.title, row.body); err != nil {
				t.Fatal(err)
			}
		}
		search := func(fts5, typed string) []int64 {
			t.Helper()
			from, cond, score, args := db.Dialect().TextSearch("post_search", storage.TextQuery{FTS5: fts5, Typed: typed}, 10.0, 1.0)
			rows, err := db.Query(context.Background(), "select s.rowid from "+from+" where "+cond+" order by "+score+", s.rowid", args...)
			if err != nil {
				t.Fatalf("search %q: %v", typed, err)
			}
			defer rows.Close()
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			return ids
		}
		// The FTS5 forms are what the forum's ParseSearch makes of the typed text.
		if got := search(`"garden" AND "gate"`, "garden gate"); len(got) != 2 || got[0] != 2 || !slices.Contains(got, 1) {
			t.Errorf("garden gate: %v, want 2 (title) first, then 1", got)
		}
		if got := search(`("oil" OR "worms")`, "oil OR worms"); !slices.Equal(sorted(got), []int64{1, 4}) {
			t.Errorf("oil OR worms: %v, want 1 and 4", got)
		}
		if got := search(`"gate" NOT "garden"`, "gate -garden"); !slices.Equal(got, []int64{3}) {
			t.Errorf("gate -garden: %v, want 3", got)
		}
		if got := search(`"compost" AND "and" AND "near" AND "worms"`, `compost AND NEAR (worms:`); !slices.Equal(got, []int64{4}) {
			t.Errorf("search syntax typed as text: %v", got)
		}
	})
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
