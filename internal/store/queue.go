package store

import (
	"context"
	"fmt"
)

// JobCount is how many of River's jobs of one kind are in one state.
type JobCount struct {
	State, Kind string
	Jobs        int64
}

// JobCounts counts River's jobs by state and kind, leaving out completed
// ones: those are history, kept a day and as many as the work done, and
// would make each count a scan of them. Rows are bounded by River's few
// states times Khabar's few job kinds.
func (s *Store) JobCounts(ctx context.Context) ([]JobCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(state AS TEXT), kind, COUNT(*) FROM river_job
		WHERE state <> 'completed' GROUP BY state, kind ORDER BY 1, 2 LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.State, &c.Kind, &c.Jobs); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}
