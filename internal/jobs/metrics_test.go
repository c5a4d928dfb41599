package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"khabar/internal/metricstest"
	"khabar/internal/storetest"
)

// TestMetrics: the queue's depth is counted in the database by state and
// kind (a job another node inserted counts as well), and failed attempts
// by kind.
func TestMetrics(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			q, err := New(ctx, b.Open(t), quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			later := &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}
			for range 2 {
				if err := q.Enqueue(ctx, cleanupArgs{What: cleanSessions}, later); err != nil {
					t.Fatal(err)
				}
			}
			q.failures.HandleError(ctx, &rivertype.JobRow{Kind: "cleanup"}, errors.New("database away"))
			q.failures.HandlePanic(ctx, &rivertype.JobRow{Kind: "cleanup"}, "boom", "")
			series := metricstest.Collect(t, q.Collectors()...)
			maxConns := map[string]string{"sqlite": `go_sql_max_open_connections{db_name="river"}`, "postgres": `khabar_jobs_pool_max_open_connections`}[b.Name]
			for name, want := range map[string]float64{`khabar_jobs{kind="cleanup",state="scheduled"}`: 2, `khabar_job_failures_total{kind="cleanup"}`: 2,
				maxConns: map[string]float64{"sqlite": 1, "postgres": 5}[b.Name]} {
				if got := series[name]; got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
		})
	}
}
