package app_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/storetest"
)

// TestWireFolderToDesk: an agency file dropped in --wire-dir reaches the
// desk's open page over its live stream within seconds, is listed, and
// the file is filed under done/; on SQLite and PostgreSQL.
func TestWireFolderToDesk(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dbURL := ""
			if db == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			dir := t.TempDir()
			n := apptest.StartNode(t, dbURL, func(c *config.Config) { c.WireDir, c.WirePoll = dir, 100*time.Millisecond })
			if r := n.Get(t, "/admin/wires/stream"); r.Status == http.StatusOK && strings.Contains(r.Header.Get("Content-Type"), "event-stream") {
				t.Fatal("the desk's stream is open to anyone")
			}
			apptest.Login(t, n, auth.RoleWriter)

			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", n.Base+"/admin/wires/stream", nil)
			res, err := n.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
				t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			deadline := time.Now().Add(30 * time.Second)
			for n.Live.Clients("wires") == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the desk's stream never subscribed")
				}
				time.Sleep(5 * time.Millisecond)
			}
			data, err := os.ReadFile("../wire/testdata/ar-ninjs-2.2.json")
			if err != nil {
				t.Fatal(err)
			}
			// Written aside and renamed in, as agencies' clients do.
			tmp := filepath.Join(dir, "rates.json.tmp")
			if err := os.WriteFile(tmp, data, 0o640); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Minute)
			os.Chtimes(tmp, old, old)
			start := time.Now()
			if err := os.Rename(tmp, filepath.Join(dir, "rates.json")); err != nil {
				t.Fatal(err)
			}
			const headline = "المصرف المركزي يثبّت أسعار الفائدة"
			sc := bufio.NewScanner(res.Body)
			arrived := false
			for !arrived && sc.Scan() {
				line := sc.Text()
				arrived = strings.HasPrefix(line, "data: ") && strings.Contains(line, headline) && strings.Contains(line, `"guid":"urn:ninjs:wakala.example:20261207:ar-economy-rates"`)
			}
			if !arrived {
				t.Fatalf("the stream ended before the item arrived: %v", sc.Err())
			}
			t.Logf("%s: dropped to the desk's open page in %s", db, time.Since(start).Round(time.Millisecond))
			if desk := n.Get(t, "/admin/wires"); !strings.Contains(desk.Body, headline) || !strings.Contains(desk.Body, `data-stream="/admin/wires/stream?since=`) {
				t.Errorf("the desk does not list the item, or does not follow arrivals")
			}
			done, _ := filepath.Glob(filepath.Join(dir, "done", "*", "rates.json"))
			for len(done) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
				done, _ = filepath.Glob(filepath.Join(dir, "done", "*", "rates.json"))
			}
			if len(done) == 0 {
				t.Error("the file was not filed under done/")
			}
		})
	}
}
