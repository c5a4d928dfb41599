package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/wxr"
)

// wxrFixtures is the shared folder of real WordPress exports; tests using
// it skip when it is absent.
func wxrFixtures(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(filepath.Join(dir, "themeunittestdata.wordpress.xml")); err != nil {
		t.Skipf("the WordPress fixtures are not there (%s): %v", dir, err)
	}
	return dir
}

func importWXR(t *testing.T, s *store.Store, path string, opt WXROptions) Stats {
	t.Helper()
	st, err := WXR(context.Background(), s, path, opt)
	if err != nil {
		t.Fatalf("import %s: %v\n%s", filepath.Base(path), err, st.Summary())
	}
	return st
}

// articlesByTitle reads every stored article.
func articlesByTitle(t *testing.T, s *store.Store) map[string]*news.Article {
	t.Helper()
	out := map[string]*news.Article{}
	for _, a := range imported(t, s) {
		out[a.Headline] = a
	}
	return out
}

func TestWXRThemeUnitTest(t *testing.T) {
	path := filepath.Join(wxrFixtures(t), "themeunittestdata.wordpress.xml")
	storetest.Each(t, func(t *testing.T, s *store.Store) { testWXRThemeUnitTest(t, s, path) })
}

// testWXRThemeUnitTest imports the theme unit test data (186 items: 58
// posts, 21 pages, 37 attachments, 70 menu items): posts with their
// authors, sections and comment threads, pages; a second import changes
// nothing, and a changed post is updated in place.
func testWXRThemeUnitTest(t *testing.T, s *store.Store, path string) {
	ctx := context.Background()
	// Several workers, as on PostgreSQL: the counts are the same.
	st := importWXR(t, s, path, WXROptions{Workers: 3})
	if st.Read != 186 || st.Imported != 79 || st.Skipped[`post type "nav_menu_item"`] != 70 {
		t.Errorf("summary:\n%s", st.Summary())
	}
	if st.Made["comments"] != 24 || st.Made["sections"] == 0 || st.Made["authors"] != 3 || st.Skipped["comment of type pingback"] != 2 {
		t.Errorf("made %v, skipped %v", st.Made, st.Skipped)
	}
	arts := articlesByTitle(t, s)
	if len(arts) != 58 {
		t.Errorf("%d articles, want 58", len(arts))
	}
	pages, err := s.ListPages(ctx)
	if err != nil || len(pages) != 21 {
		t.Errorf("%d pages (%v), want 21", len(pages), err)
	}
	// Threads: replies to replies are attached to their thread's first
	// comment; the pending comment waits for moderation.
	a := arts["Template: Comments"]
	if a == nil || a.Status != news.StatusPublished || a.CommentCount != 19 {
		t.Fatalf("Template: Comments: %+v", a)
	}
	top, total, err := s.PublicComments(ctx, a.ID, true, 50, 0)
	if err != nil || total != 10 {
		t.Fatalf("%d top-level comments (%v), want 10", total, err)
	}
	replies := 0
	for _, c := range top {
		replies += len(c.Replies)
	}
	if replies != 9 {
		t.Errorf("%d replies, want 9", replies)
	}
	pending, err := s.ListComments(ctx, store.CommentFilter{Status: news.CommentPending, Limit: 50})
	if err != nil || len(pending) != 1 {
		t.Errorf("%d pending comments (%v), want 1", len(pending), err)
	}
	// Statuses: the draft and the scheduled post are drafts.
	drafts := 0
	for _, a := range arts {
		if a.Status == news.StatusDraft {
			drafts++
		}
	}
	if drafts != 2 {
		t.Errorf("%d drafts, want 2", drafts)
	}
	if a := arts["Markup: HTML Tags and Formatting"]; a == nil || len(a.Authors) != 1 || len(a.Body) < 10 || a.PublishedAt.Year() != 2013 {
		t.Errorf("markup post: %+v", a)
	}

	again := importWXR(t, s, path, WXROptions{})
	if again.Imported != 0 || again.Updated != 0 || again.Unchanged != 79 || again.Made["comments"] != 0 || again.Made["redirects"] != 0 {
		t.Errorf("second import:\n%s", again.Summary())
	}
	if n := len(imported(t, s)); n != 58 {
		t.Errorf("%d articles after the second import", n)
	}

	// The outlet kept publishing on WordPress: a post changed, one is new.
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "<title>Template: Comments</title>", "<title>Template: Comments, updated</title>", 1)
	changed = strings.Replace(changed, "</channel>", `<item><title>خبر جديد</title><link>https://wpthemetestdata.wordpress.com/2025/01/01/new/</link>
<wp:post_id>99999</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_name>new</wp:post_name>
<wp:post_date_gmt>2025-01-01 10:00:00</wp:post_date_gmt><content:encoded><![CDATA[نص الخبر]]></content:encoded></item></channel>`, 1)
	next := filepath.Join(t.TempDir(), "next.xml")
	if err := os.WriteFile(next, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	third := importWXR(t, s, next, WXROptions{})
	if third.Imported != 1 || third.Updated != 1 || third.Unchanged != 78 {
		t.Errorf("third import:\n%s", third.Summary())
	}
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil || got.Headline != "Template: Comments, updated" || got.CommentCount != 19 {
		t.Errorf("updated article: %+v (%v)", got, err)
	}
}

func TestWXRFixtures(t *testing.T) {
	dir := wxrFixtures(t)
	for _, c := range []struct {
		file              string
		imported, skipped int
		check             func(t *testing.T, s *store.Store)
	}{
		{"valid-wxr-1.0.xml", 6, 0, nil},
		{"valid-wxr-1.1.xml", 2, 0, func(t *testing.T, s *store.Store) {
			au, err := s.AuthorBySlug(context.Background(), "john")
			if err != nil || au.Name != "John Doe" || au.Email != "johndoe@example.org" {
				t.Errorf("author %+v (%v)", au, err)
			}
		}},
		{"small-export.xml", 10, 1, nil},
		{"slashes.xml", 1, 0, func(t *testing.T, s *store.Store) {
			a := articlesByTitle(t, s)["Hello world!"]
			if a == nil || len(a.Body) != 1 || !strings.Contains(a.Body[0].Text, `aren\`) {
				t.Fatalf("article %+v", a)
			}
			cs, _, err := s.PublicComments(context.Background(), a.ID, true, 10, 0)
			if err != nil || len(cs) != 1 || cs[0].Body != `\o/ ¯\_(ツ)_/¯` {
				t.Errorf("comments %+v (%v)", cs, err)
			}
			sec, err := s.SectionBySlug(context.Background(), "alpha")
			if err != nil || sec.Name != `a \"great\" category` {
				t.Errorf("section %+v (%v)", sec, err)
			}
		}},
		{"wxr-utf-8-challenges.xml", 1, 0, func(t *testing.T, s *store.Store) {
			for _, a := range imported(t, s) {
				if len(a.Body) != 2 || !strings.Contains(a.Body[1].Text, "السلام عليكم وﷲ") {
					t.Errorf("body %+v", a.Body)
				}
			}
		}},
		{"post-content-blank-lines.xml", 1, 0, func(t *testing.T, s *store.Store) {
			for _, a := range imported(t, s) {
				// wpautop: the blank line ends a paragraph, the other
				// newlines are line breaks.
				if len(a.Body) != 2 || !strings.Contains(a.Body[0].Text, "<br>") {
					t.Errorf("body %+v", a.Body)
				}
			}
		}},
		{"crazy-cdata-escaped.xml", 1, 0, nil},
		{"namespace-edge-cases.xml", 5, 1, nil}, // the hijacked item has no post type
		{"term-formats.xml", 0, 0, func(t *testing.T, s *store.Store) {
			if secs, _ := s.ListSections(context.Background()); len(secs) < 2 {
				t.Errorf("sections %+v", secs)
			}
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				st := importWXR(t, s, filepath.Join(dir, c.file), WXROptions{})
				if st.Imported != c.imported || st.Skips() < c.skipped {
					t.Errorf("imported %d, want %d; skipped %d, want %d:\n%s", st.Imported, c.imported, st.Skips(), c.skipped, st.Summary())
				}
				if c.check != nil {
					c.check(t, s)
				}
				again := importWXR(t, s, filepath.Join(dir, c.file), WXROptions{})
				if again.Imported != 0 || again.Updated != 0 || again.Unchanged != c.imported {
					t.Errorf("second import:\n%s", again.Summary())
				}
			})
		})
	}
}

// TestWXRRefused: a broken export imports nothing, and says which line
// is wrong.
func TestWXRRefused(t *testing.T) {
	dir := wxrFixtures(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, c := range []struct {
			file string
			line int
			msg  string
		}{
			{"malformed.xml", 90, "there was an error when reading this WXR file"},
			{"missing-version-tag.xml", 35, "missing or invalid WXR version number"},
			{"crazy-cdata.xml", 18, "unescaped ]]>"},
		} {
			_, err := WXR(context.Background(), s, filepath.Join(dir, c.file), WXROptions{})
			var e *wxr.Error
			if !errors.As(err, &e) || e.Line != c.line || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s: %v, want line %d and %q", c.file, err, c.line, c.msg)
			}
		}
		if n := len(imported(t, s)); n != 0 {
			t.Errorf("%d articles imported from broken files", n)
		}
		secs, _ := s.ListSections(context.Background())
		authors, _ := s.ListAuthors(context.Background())
		if len(secs) > 1 || len(authors) > 0 { // the harness's own section
			t.Errorf("sections %d, authors %d made from broken files", len(secs), len(authors))
		}
	})
}

// TestWXRDryRun reads and converts everything and writes nothing.
func TestWXRDryRun(t *testing.T) {
	path := filepath.Join(wxrFixtures(t), "themeunittestdata.wordpress.xml")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := importWXR(t, s, path, WXROptions{DryRun: true})
		if st.Imported != 79 {
			t.Errorf("dry run:\n%s", st.Summary())
		}
		if n := len(imported(t, s)); n != 0 {
			t.Errorf("%d articles written by a dry run", n)
		}
		if pages, _ := s.ListPages(context.Background()); len(pages) != 0 {
			t.Errorf("%d pages written by a dry run", len(pages))
		}
	})
}
