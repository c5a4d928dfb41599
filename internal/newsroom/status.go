package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/jobs"
	"khabar/internal/outbox"
	"khabar/internal/store"
)

// StatusReport is what /admin/status shows: this node, and the database,
// media, backups and queues it shares with the others.
type StatusReport struct {
	Version, Host string
	Started       time.Time
	// Database is "SQLite" or "PostgreSQL".
	Database      string
	DatabaseBytes int64
	MediaFiles    int64
	MediaBytes    int64
	// LastBackup is nil before the first backup; BackupEvery is 0 when
	// this node schedules none.
	LastBackup  *store.BackupRun
	BackupEvery time.Duration
	BackupKeep  int
	Lags        []outbox.Lag
	Jobs        []store.JobCount
	Failed      []jobs.FailedJob
	// Unavailable names, by catalogue key, the parts that could not be
	// read; the rest of the report still stands.
	Unavailable []string
}

// Status reports on the running system and retries its failed jobs.
type Status interface {
	Report(ctx context.Context) StatusReport
	RetryJob(ctx context.Context, id int64) error
}

// statusPage is StatusReport with its numbers written in the outlet's
// digits and its names in the newsroom's language.
type statusPage struct {
	StatusReport
	Files, Schedule string
	LagRows         []lagRow
	JobRows         []jobRow
	FailedRows      []failedRow
}

type lagRow struct{ Consumer, Events string }

type jobRow struct{ State, Kind, Count string }

type failedRow struct {
	jobs.FailedJob
	Number, Attempts string
}

// status is GET /admin/status, for admins.
func (n *Newsroom) status(w http.ResponseWriter, r *http.Request) {
	if n.system == nil {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	rep := n.system.Report(r.Context())
	digits := n.settings.Get().DateFormat().Digits
	p := &statusPage{StatusReport: rep, Files: n.cat.N("status_media_files", int(rep.MediaFiles), digits)}
	if rep.BackupEvery > 0 {
		p.Schedule = fmt.Sprintf("--backup-every %s --backup-keep %d", flagDuration(rep.BackupEvery), rep.BackupKeep)
	}
	for _, l := range rep.Lags {
		p.LagRows = append(p.LagRows, lagRow{Consumer: l.Consumer, Events: digits.Int(int(l.Events))})
	}
	for _, c := range rep.Jobs {
		p.JobRows = append(p.JobRows, jobRow{State: n.jobState(c.State), Kind: c.Kind, Count: digits.Int(int(c.Jobs))})
	}
	for _, f := range rep.Failed {
		p.FailedRows = append(p.FailedRows, failedRow{FailedJob: f, Number: digits.Int(int(f.ID)),
			Attempts: digits.Int(f.Attempt) + " / " + digits.Int(f.MaxAttempts)})
	}
	n.render(w, http.StatusOK, "status", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_status"), Page: p, Flash: flash(r)})
}

// flagDuration writes d as an operator types it: "6h", not "6h0m0s".
func flagDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// jobState names a River job state in the newsroom's language.
func (n *Newsroom) jobState(state string) string {
	if key := "job_state_" + state; n.cat.Has(key) {
		return n.cat.T(key)
	}
	return state
}

// retryJob is POST /admin/status/jobs/{id}/retry.
func (n *Newsroom) retryJob(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	if n.system == nil {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	err := n.system.RetryJob(r.Context(), id)
	switch {
	case errors.Is(err, jobs.ErrNotFailed):
		http.Redirect(w, r, "/admin/status?done=job_gone", http.StatusSeeOther)
		return
	case err != nil:
		n.fail(w, r, err)
		return
	}
	if err := n.store.Audit(r.Context(), userFrom(r.Context()).Actor(), "job.retry", "job "+strconv.FormatInt(id, 10), ""); err != nil {
		n.fail(w, r, fmt.Errorf("audit job %d retry: %w", id, err))
		return
	}
	http.Redirect(w, r, "/admin/status?done=job_retried", http.StatusSeeOther)
}
