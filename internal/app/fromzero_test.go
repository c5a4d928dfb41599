package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestOutletFromZero is issue 14's path without a browser, on both
// databases: a node on an empty database (no demo) prints its set-up
// link; set-up names the outlet and signs its first admin in, who makes a
// section and a subsection, an author and an about page, and publishes
// an article in the subsection; readers then find it on the home page,
// on both section pages (the subsection's with its trail), on the
// author's page and in the parent section's feed, and the about page in
// the footer. TestOutletFromZeroInABrowser walks it in Chromium.
func TestOutletFromZero(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dbURL := ""
			if backend == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			n := apptest.StartNode(t, dbURL, func(c *config.Config) { c.Demo = false })
			ctx := context.Background()
			if r := n.Get(t, "/admin/articles/new"); r.Status != http.StatusSeeOther {
				t.Fatalf("the newsroom before set-up: %d", r.Status)
			}
			link, err := n.SetupLink(ctx)
			if err != nil || !strings.HasPrefix(link, "http://khabar.test/admin/setup?token=") {
				t.Fatalf("set-up link %q (%v)", link, err)
			}
			u, _ := url.Parse(link)
			if r := n.Get(t, u.RequestURI()); r.Status != 200 {
				t.Fatalf("the set-up page: %d", r.Status)
			}
			r := n.Do(t, "POST", "/admin/setup", url.Values{"token": {u.Query().Get("token")}, "site_name": {"صوت المدينة"},
				"lang": {"ar"}, "time_zone": {"Africa/Cairo"}, "month_style": {"egypt"},
				"name": {"هالة الأحمد"}, "email": {"hala@khabar.test"}, "password": {"a long enough password"}}, nil)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("set-up: %d\n%s", r.Status, r.Body)
			}
			if link, _ := n.SetupLink(ctx); link != "" {
				t.Errorf("set-up is still open: %s", link)
			}
			// The first admin, signed in by set-up, makes the sections.
			if r := n.Do(t, "POST", "/admin/sections", url.Values{"name": {"رياضة"}, "slug": {"sport"}}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("add a section: %d", r.Status)
			}
			sport, err := n.Store.SectionBySlug(ctx, "sport")
			if err != nil {
				t.Fatal(err)
			}
			if r := n.Do(t, "POST", "/admin/sections", url.Values{"name": {"كرة القدم"}, "slug": {"football"},
				"parent": {strconv.FormatInt(sport.ID, 10)}}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("add a subsection: %d", r.Status)
			}
			football, err := n.Store.SectionBySlug(ctx, "football")
			if err != nil {
				t.Fatal(err)
			}
			if r := n.Do(t, "POST", "/admin/authors", url.Values{"name": {"هالة الأحمد"}, "slug": {"hala"}, "job_title": {"محررة الرياضة"}}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("add an author: %d\n%s", r.Status, r.Body)
			}
			hala, err := n.Store.AuthorBySlug(ctx, "hala")
			if err != nil {
				t.Fatal(err)
			}
			if r := n.Do(t, "POST", "/admin/pages/new", url.Values{"title": {"من نحن"}, "slug": {"about"}, "purpose": {"about"}, "footer": {"on"},
				"blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"صوت المدينة موقع إخباري مستقل."}}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("add the about page: %d\n%s", r.Status, r.Body)
			}
			headline := "المنتخب يتأهل إلى النهائي"
			r = n.Do(t, "POST", "/admin/articles/new", url.Values{"headline": {headline}, "lead": {"فوز في الدقيقة الأخيرة."},
				"section": {strconv.FormatInt(football.ID, 10)}, "authors": {strconv.FormatInt(hala.ID, 10)}, "blocks": {"1"}, "b0_type": {"paragraph"},
				"b0_text": {"سجّل المنتخب هدف الفوز في الدقيقة التسعين."}, "action": {"publish"}}, nil)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("publish: %d\n%s", r.Status, r.Body)
			}
			n.WaitEvents(t)
			list, err := n.Store.ListPublished(ctx, store.ListFilter{Limit: 10})
			if err != nil || len(list) != 1 || list[0].Headline != headline {
				t.Fatalf("published: %+v %v", list, err)
			}
			crumbs := `<a href="/section/sport"><bdi>رياضة</bdi></a><span aria-hidden="true"> › </span><a href="/section/football"><bdi>كرة القدم</bdi></a>`
			for path, wants := range map[string][]string{
				"/":                            {headline, "صوت المدينة", `href="/section/sport"`, `<a href="/page/about"><bdi>من نحن</bdi></a>`},
				"/author/hala":                 {headline, "محررة الرياضة"},
				"/page/about":                  {"صوت المدينة موقع إخباري مستقل.", `"ownershipFundingInfo":"http://khabar.test/page/about"`},
				"/section/football":            {headline, crumbs},
				"/section/sport":               {headline},
				"/feeds/section/sport/rss.xml": {headline},
				news.ArticlePath(&list[0]):     {headline, crumbs},
			} {
				r := n.Get(t, path)
				for _, want := range wants {
					if r.Status != 200 || !strings.Contains(r.Body, want) {
						t.Errorf("%s: %d, want %q", path, r.Status, want)
					}
				}
			}
		})
	}
}
