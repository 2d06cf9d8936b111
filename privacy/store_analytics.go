package privacy

import (
	"context"
	"fmt"

	"stoa/storage"
)

// addCounts adds page-view counts to the daily totals in one write.
func (s store) addCounts(ctx context.Context, counts map[counterKey]int64) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for k, n := range counts {
			if _, err := tx.Exec(`insert into analytics_daily(day, dimension, value, count) values (?, ?, ?, ?)
				on conflict(day, dimension, value) do update set count = analytics_daily.count + excluded.count`,
				k.day, k.dimension, k.value, n); err != nil {
				return fmt.Errorf("privacy: add page views: %w", err)
			}
		}
		return nil
	})
}

// viewsByDay returns the page views of every day since start (YYYY-MM-DD).
func (s store) viewsByDay(ctx context.Context, start string) (map[string]int64, error) {
	rows, err := s.db.Query(ctx,
		"select day, sum(count) from analytics_daily where dimension = 'page' and day >= ? group by day", start)
	if err != nil {
		return nil, fmt.Errorf("privacy: daily views: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var d string
		var n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("privacy: daily views: %w", err)
		}
		out[d] = n
	}
	return out, rows.Err()
}

// topValues returns the values of a dimension with the most views since start, largest
// first.
func (s store) topValues(ctx context.Context, dim, start string, limit int) ([]ValueCount, error) {
	rows, err := s.db.Query(ctx, `select value, sum(count) as n from analytics_daily
		where dimension = ? and day >= ? group by value order by n desc, value limit ?`, dim, start, limit)
	if err != nil {
		return nil, fmt.Errorf("privacy: top %s: %w", dim, err)
	}
	defer rows.Close()
	var out []ValueCount
	for rows.Next() {
		var v ValueCount
		if err := rows.Scan(&v.Value, &v.Count); err != nil {
			return nil, fmt.Errorf("privacy: top %s: %w", dim, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
