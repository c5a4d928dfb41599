package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

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
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(q.Collectors()...)
			text, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "khabar_jobs", "khabar_job_failures_total")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`khabar_jobs{kind="cleanup",state="scheduled"} 2`, `khabar_job_failures_total{kind="cleanup"} 2`} {
				if !strings.Contains(string(text), want+"\n") {
					t.Errorf("no %s in\n%s", want, text)
				}
			}
		})
	}
}
