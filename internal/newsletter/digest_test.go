package newsletter_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert/alerttest"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestDigest: the editors' picks (pinned) first, then breaking news, then
// the newest, of the period only, published only, of the list's section
// only; an issue an editor edited is not rebuilt; the preview is the mail.
func TestDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := storetest.Seed(t, s)
		r := newRig(t, s, alerttest.SMTPOptions{})
		slot := time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)
		ids := map[string]int64{}
		for _, c := range []struct {
			name             string
			at               time.Time
			section          int
			breaking, pinned bool
			status           news.Status
		}{
			{"plain-early", slot.Add(-23 * time.Hour), 0, false, false, news.StatusPublished},
			{"breaking", slot.Add(-19 * time.Hour), 0, true, false, news.StatusPublished},
			{"pinned", slot.Add(-17 * time.Hour), 0, false, true, news.StatusPublished},
			{"plain-late", slot.Add(-9 * time.Hour), 0, false, false, news.StatusPublished},
			{"economy", slot.Add(-14 * time.Hour), 1, false, false, news.StatusPublished},
			{"yesterday", slot.Add(-25 * time.Hour), 0, true, true, news.StatusPublished},
			{"after", slot.Add(time.Hour), 0, false, false, news.StatusPublished},
			{"withdrawn", slot.Add(-2 * time.Hour), 0, true, false, news.StatusUnpublished},
		} {
			a := f.Article("خبر " + c.name)
			a.SectionID, a.Breaking, a.Pinned, a.Status, a.PublishedAt = f.Sections[c.section].ID, c.breaking, c.pinned, c.status, c.at
			if err := s.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids[c.name] = a.ID
		}
		want := func(names ...string) []int64 {
			var out []int64
			for _, n := range names {
				out = append(out, ids[n])
			}
			return out
		}
		all := &news.NewsletterList{Name: "اليومية", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
		economy := &news.NewsletterList{Name: "الاقتصاد", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true, SectionID: f.Sections[1].ID}
		for _, l := range []*news.NewsletterList{all, economy} {
			if err := s.SaveNewsletterList(ctx, l, news.Actor{Name: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		is, err := r.svc.Draft(ctx, all, slot)
		if err != nil {
			t.Fatal(err)
		}
		if w := want("pinned", "breaking", "plain-late", "economy", "plain-early"); !slices.Equal(is.Articles, w) {
			t.Errorf("daily digest %v, want %v", is.Articles, w)
		}
		if ec, err := r.svc.Draft(ctx, economy, slot); err != nil || !slices.Equal(ec.Articles, want("economy")) {
			t.Errorf("section digest %v, %v", ec.Articles, err)
		}

		// The preview is the mail: stories in order, right to left.
		p, err := r.svc.Preview(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		pos := func(s, sub string) int { return strings.Index(s, sub) }
		if pos(p.HTML, "خبر pinned") < 0 || pos(p.HTML, "خبر pinned") > pos(p.HTML, "خبر breaking") || !strings.Contains(p.HTML, `dir="rtl"`) || strings.Contains(p.HTML, "withdrawn") {
			t.Errorf("preview HTML out of order or not RTL")
		}
		if !strings.Contains(p.Text, "https://khabar.test/news/") || !strings.Contains(p.Text, "/newsletter/unsubscribe?token=") {
			t.Errorf("preview text: %q", p.Text)
		}

		// Edited: kept as the editor left it, even when rebuilt.
		is.Articles, is.Intro = want("economy", "pinned"), "مقدمة المحرر"
		if err := s.EditNewsletterIssue(ctx, is, news.Actor{Name: "محرر"}); err != nil {
			t.Fatal(err)
		}
		again, err := r.svc.Draft(ctx, all, slot)
		if err != nil || !slices.Equal(again.Articles, want("economy", "pinned")) || again.Intro != "مقدمة المحرر" {
			t.Errorf("edited issue rebuilt: %+v, %v", again, err)
		}
		// Too many stories, or an empty subject, are refused.
		bad := *again
		bad.Articles = make([]int64, news.NewsletterStoriesMax+1)
		if err := s.EditNewsletterIssue(ctx, &bad, news.Actor{}); !news.IsInvalid(err) {
			t.Errorf("%d stories: %v", len(bad.Articles), err)
		}
		bad = *again
		bad.Subject = " "
		if err := s.EditNewsletterIssue(ctx, &bad, news.Actor{}); !news.IsInvalid(err) {
			t.Errorf("empty subject: %v", err)
		}
	})
}
