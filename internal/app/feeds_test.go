package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"khabar/internal/apptest"
	"khabar/internal/news"
)

// Publishing an article, correcting one's body and attaching a correction
// to it refresh the cached feeds that carry it (and /corrections): the
// site hears of each through the outbox. (What the feeds serve is
// internal/site's TestFeedsServed and TestCorrectionsShown.)
func TestFeedsFollowPublishingAndCorrections(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	ctx := context.Background()
	parser := gofeed.NewParser()
	a := apptest.FirstPublished(t, n.Store)
	n.Get(t, "/feeds/rss.xml") // cache it
	// Publishing refreshes the cached feed.
	fresh := &news.Article{Headline: "خبر جديد في الخلاصة & <اختبار> 🎉", SectionID: a.SectionID, Status: news.StatusPublished}
	if err := n.Store.CreateArticle(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	r := n.Get(t, "/feeds/rss.xml")
	parsed, err := parser.ParseString(r.Body)
	if err != nil || len(parsed.Items) == 0 {
		t.Fatalf("the feed after publishing: %d, %v", r.Status, err)
	}
	if parsed.Items[0].Title != fresh.Headline {
		t.Errorf("feed not refreshed after publishing: %q", parsed.Items[0].Title)
	}
	// A correction to an article's body reaches the feeds that carry it.
	n.Get(t, "/feeds/feed.json") // cache it
	a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: "تصحيح: ورد الرقم خطأ"})
	if err := n.Store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	if !strings.Contains(n.Get(t, "/feeds/feed.json").Body, "تصحيح: ورد الرقم خطأ") {
		t.Error("the site feed still carries the uncorrected body")
	}
	n.Get(t, "/corrections") // cache it
	fix := &news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: "ورد أن العدد ثلاثون؛ الصحيح ثلاثة"}
	if err := n.Store.AddCorrection(ctx, fix); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	if !strings.Contains(n.Get(t, "/feeds/feed.json").Body, fix.Text) {
		t.Error("the site feed lacks the correction")
	}
	if !strings.Contains(n.Get(t, "/corrections").Body, fix.Text) {
		t.Error("/corrections lacks the correction")
	}
}
