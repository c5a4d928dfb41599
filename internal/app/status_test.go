package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
)

// TestStatusPage: a scheduled backup that cannot write its archive shows
// on the admins' status page as a failed backup and a failed job; once
// the cause is gone, the page's retry button runs it again, the backup
// succeeds and the failed list empties. Only admins see the page.
func TestStatusPage(t *testing.T) {
	t.Parallel()
	// The backup folder is a file: the first backup, run at start, fails.
	var blockErr error
	block := func(c *config.Config) {
		c.BackupEvery, c.BackupKeep, c.BackupDir = time.Hour, 2, filepath.Join(c.DataDir, "backups")
		blockErr = os.WriteFile(c.BackupDir, []byte("not a folder"), 0o600)
	}
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		if blockErr != nil {
			t.Fatal(blockErr)
		}
		blocker := filepath.Join(n.DataDir, "backups")
		if r := apptest.As(t, n, auth.RoleEditor).Get(t, "/admin/status"); r.Status != http.StatusForbidden {
			t.Errorf("an editor opens the status page: %d", r.Status)
		}
		admin := apptest.As(t, n, auth.RoleAdmin)
		page := func() string {
			r := admin.Get(t, "/admin/status")
			if r.Status != http.StatusOK {
				t.Fatalf("status page: %d %s", r.Status, r.Body)
			}
			return r.Body
		}
		retryForm := regexp.MustCompile(`action="/admin/status/jobs/(\d+)/retry"`)
		var body string
		apptest.WaitWithin(t, 2*time.Minute, "the failed backup on the status page", func() bool {
			time.Sleep(100 * time.Millisecond)
			body = page()
			return retryForm.MatchString(body) && strings.Contains(body, "فشلت")
		})
		for _, want := range []string{"حالة النظام", "هذه العقدة", "not a directory", `<code dir="ltr">backup</code>`,
			"--backup-every 1h --backup-keep 2", "متروكة"} {
			if !strings.Contains(body, want) {
				t.Errorf("status page lacks %q", want)
			}
		}
		if files, size, err := n.Store.MediaTotals(context.Background()); err != nil || files == 0 || size == 0 ||
			strings.Contains(body, "لا ملفات") {
			t.Errorf("the demo's pictures are not counted: %d files, %d bytes, %v", files, size, err)
		}
		if db := map[bool]string{true: "PostgreSQL", false: "SQLite"}[strings.HasSuffix(t.Name(), "postgres")]; !strings.Contains(body, db) {
			t.Errorf("status page does not name %s", db)
		}
		job := retryForm.FindStringSubmatch(body)[1]

		if err := os.Remove(blocker); err != nil {
			t.Fatal(err)
		}
		retry := func(id string) apptest.Resp {
			return admin.Do(t, "POST", "/admin/status/jobs/"+id+"/retry", nil, nil)
		}
		if r := retry(job); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/status?done=job_retried" {
			t.Fatalf("retry: %d %s", r.Status, r.Header.Get("Location"))
		}
		apptest.WaitWithin(t, 2*time.Minute, "the retried backup to succeed", func() bool {
			time.Sleep(100 * time.Millisecond)
			body = page()
			return strings.Contains(body, "نجحت")
		})
		if !strings.Contains(body, "لا مهام فاشلة") {
			t.Error("the retried job is still listed as failed")
		}
		archives, err := filepath.Glob(filepath.Join(blocker, "khabar-backup-*.tar.gz"))
		if err != nil || len(archives) != 1 {
			t.Errorf("archives after the retry: %v %v", archives, err)
		}
		if log := admin.Get(t, "/admin/audit").Body; !strings.Contains(log, "إعادة مهمة فاشلة") {
			t.Error("the retry is not in the audit log")
		}
		// A second press, another node's, or a made-up job: nothing to retry.
		for _, id := range []string{job, "999999999"} {
			if r := retry(id); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/status?done=job_gone" {
				t.Errorf("retry %s again: %d %s", id, r.Status, r.Header.Get("Location"))
			}
		}
		if r := retry("x"); r.Status != http.StatusNotFound {
			t.Errorf("retry of a bad id: %d", r.Status)
		}
	}, block)
}
