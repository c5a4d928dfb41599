package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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
	return []prometheus.Collector{q.failures.total, q.pool, depth{q: q, desc: prometheus.NewDesc("khabar_jobs",
		"Jobs in the queue (shared by all nodes) by state and kind; completed ones are not counted.", []string{"state", "kind"}, nil)}}
}

// pgxPool reports River's own PostgreSQL pool, as DBStatsCollector
// reports a database/sql pool: a queue starved of connections shows here
// first.
type pgxPool struct {
	pool                                    *pgxpool.Pool
	open, inUse, idle, max, waits, waitTime *prometheus.Desc
}

func newPgxPool(pool *pgxpool.Pool) *pgxPool {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("khabar_jobs_pool_"+name, help, nil, nil)
	}
	return &pgxPool{pool: pool,
		open:     desc("open_connections", "Connections of the job queue's PostgreSQL pool, in use and idle."),
		inUse:    desc("in_use_connections", "Connections of the job queue's pool in use."),
		idle:     desc("idle_connections", "Idle connections of the job queue's pool."),
		max:      desc("max_open_connections", "Most connections the job queue's pool opens."),
		waits:    desc("wait_count_total", "Times the job queue waited for a connection of its pool."),
		waitTime: desc("wait_duration_seconds_total", "Time the job queue waited for connections of its pool."),
	}
}

func (p *pgxPool) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.open, p.inUse, p.idle, p.max, p.waits, p.waitTime} {
		ch <- d
	}
}

func (p *pgxPool) Collect(ch chan<- prometheus.Metric) {
	s := p.pool.Stat()
	ch <- prometheus.MustNewConstMetric(p.open, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(p.inUse, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(p.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(p.waits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.waitTime, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
}
