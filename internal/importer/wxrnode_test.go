package importer_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/importer"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// TestWXRSearchAndFeedsAfterImport: a running node serves what an import
// wrote through a store of its own (as "khabar import wxr" does, from
// another process) in its search and its feeds, with no reindex asked.
func TestWXRSearchAndFeedsAfterImport(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "wxr", "small-export.xml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the WordPress fixtures are not there: %v", err)
	}
	t.Parallel()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dbURL := ""
			if backend == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			// No demo: the export's posts, from 2011, are the newest.
			n := apptest.StartNode(t, dbURL, func(cfg *config.Config) { cfg.Demo = false })
			cfg := config.Default()
			cfg.DataDir, cfg.DatabaseURL = n.DataDir, dbURL
			s, err := app.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if st, err := importer.WXR(context.Background(), s, path, importer.WXROptions{}); err != nil || st.Imported == 0 {
				t.Fatalf("import: %v\n%s", err, st.Summary())
			}
			for _, c := range []struct{ what, path, want string }{
				{"search", "/search?q=" + url.QueryEscape("Top-level"), "Top-level Foo"},
				{"site feed", news.FeedPath("", "", "rss.xml"), "Hello world!"},
				{"section feed", news.FeedPath(news.ListSection, "foo", "atom.xml"), "Top-level Foo"},
				{"section page", news.ListPath(news.ListSection, "foo"), "Top-level Foo"},
				{"home page", "/", "Many Categories"},
			} {
				apptest.WaitFor(t, c.what+" showing "+c.want, func() bool {
					r := n.Get(t, c.path)
					return r.Status == 200 && strings.Contains(r.Body, c.want)
				})
			}
		})
	}
}
