package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// failures counts job attempts that ended in an error or a panic, as
// River's error handler sees them; River's own retry schedule is kept.
type failures struct{ total *prometheus.CounterVec }

func newFailures() *failures {
	return &failures{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "khabar_job_failures_total",
		Help: "Job attempts that failed (error or panic), by job kind; River retries them on its schedule.",
	}, []string{"kind"})}
}

func (f *failures) HandleError(_ context.Context, job *rivertype.JobRow, _ error) *river.ErrorHandlerResult {
	f.total.WithLabelValues(job.Kind).Inc()
	return nil
}

func (f *failures) HandlePanic(_ context.Context, job *rivertype.JobRow, _ any, _ string) *river.ErrorHandlerResult {
	f.total.WithLabelValues(job.Kind).Inc()
	return nil
}

// depth reports the queue's jobs by state and kind, counted in the
// database at scrape time: the queue is shared by every node, and only
// the table knows what the others inserted and ran.
type depth struct {
	q    *Queue
	desc *prometheus.Desc
}

func (d depth) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

func (d depth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts, err := d.q.store.JobCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.desc, err)
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(c.Jobs), c.State, c.Kind)
	}
}

// Collectors are the job queue's metrics.
func (q *Queue) Collectors() []prometheus.Collector {
	return []prometheus.Collector{q.failures.total, depth{q: q, desc: prometheus.NewDesc("khabar_jobs",
		"Jobs in the queue (shared by all nodes) by state and kind; completed ones are not counted.", []string{"state", "kind"}, nil)}}
}
