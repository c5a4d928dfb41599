package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

func upload(t *testing.T, s *store.Store, path, sum, alt, caption, credit string) *news.Media {
	t.Helper()
	m := &news.Media{Path: path, MIME: "image/jpeg", Width: 1200, Height: 800, SHA256: sum, Bytes: 1234, Frames: 1,
		SizesState: news.SizesPending, Alt: alt, Caption: caption, Credit: credit}
	if err := s.CreateMedia(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func testMediaLibrary(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	lion := upload(t, s, "2026/11/a.jpg", "aa", "أسد في  الحديقة\x07", "الأسد يستريح", "وكالة الأنباء")
	got, err := s.MediaBySHA256(ctx, "aa")
	if err != nil || got.ID != lion.ID || got.Alt != "أسد في الحديقة" || got.Bytes != 1234 || got.SizesState != news.SizesPending {
		t.Fatalf("by sha256: %+v %v", got, err)
	}
	if _, err := s.MediaBySHA256(ctx, "nope"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("unknown digest: %v", err)
	}
	// The same file again is refused as a duplicate, under any path.
	dup := &news.Media{Path: "2026/12/a.jpg", MIME: "image/jpeg", SHA256: "aa"}
	if err := s.CreateMedia(ctx, dup); !errors.Is(err, news.ErrDuplicate) {
		t.Errorf("duplicate digest: %v", err)
	}
	// Files that were not uploaded have no digest, and many may lack one.
	upload(t, s, "demo/1.svg", "", "", "رسم", "")
	upload(t, s, "demo/2.svg", "", "", "رسم آخر", "")
	for i := range 3 {
		upload(t, s, "2026/11/p"+string(rune('0'+i))+".jpg", "p"+string(rune('0'+i)), "صورة", "مؤتمر صحفي", "مصور")
	}

	cases := []struct {
		query string
		want  int
	}{
		{"", 6},
		{"الاسد", 1},          // hamza folded, as in article search
		{"الأَسَد يستريح", 1}, // diacritics dropped, every word required
		{"الأسد مؤتمر", 0},
		{"مؤتمر", 3},
		{"وكالة", 1},    // credit
		{"100%", 0},     // LIKE wildcards are literal
		{"_", 0},        // likewise
		{"\x00\xff", 6}, // junk is no words, and not an error
		{"\x00أسد\x07", 1},
	}
	for _, c := range cases {
		n, err := s.CountMedia(ctx, store.MediaFilter{Query: c.query})
		if err != nil || n != c.want {
			t.Errorf("count %q: %d %v, want %d", c.query, n, err, c.want)
		}
		list, err := s.SearchMedia(ctx, store.MediaFilter{Query: c.query, Limit: 50})
		if err != nil || len(list) != c.want {
			t.Errorf("search %q: %d %v, want %d", c.query, len(list), err, c.want)
		}
	}
	page1, _ := s.SearchMedia(ctx, store.MediaFilter{Query: "مؤتمر", Limit: 2})
	page2, _ := s.SearchMedia(ctx, store.MediaFilter{Query: "مؤتمر", Limit: 2, Offset: 2})
	if len(page1) != 2 || len(page2) != 1 || page1[0].ID < page1[1].ID || page1[1].ID < page2[0].ID {
		t.Errorf("pages: %v %v", page1, page2)
	}

	// Editing the text of an image shown by a public article refreshes it.
	a := f.Article("خبر بصورة")
	a.FeaturedID = lion.ID
	publish(t, s, a, time.Now().Add(-time.Hour))
	inBody := f.Article("خبر بصورة في المتن")
	inBody.Body = append(inBody.Body, news.Block{Type: news.BlockImage, MediaID: lion.ID})
	publish(t, s, inBody, time.Now().Add(-time.Hour))
	other := upload(t, s, "2026/11/b.jpg", "bb", "ب", "ب", "ب")
	notLion := f.Article("خبر بصورة أخرى")
	notLion.Body = append(notLion.Body, news.Block{Type: news.BlockImage, MediaID: other.ID})
	publish(t, s, notLion, time.Now().Add(-time.Hour))
	if shown, err := s.MediaShownPublicly(ctx, lion.ID); err != nil || !shown {
		t.Errorf("lion shown publicly: %v %v", shown, err)
	}
	before, _ := s.LastEventID(ctx)
	lion.Caption = "  تعليق   جديد "
	lion.Alt = "أسد"
	if err := s.UpdateMediaText(ctx, lion); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetMedia(ctx, lion.ID)
	if got.Caption != "تعليق جديد" || got.Credit != "وكالة الأنباء" {
		t.Errorf("updated text: %+v", got)
	}
	if n, _ := s.CountMedia(ctx, store.MediaFilter{Query: "تعليق جديد"}); n != 1 {
		t.Error("search does not follow the new caption")
	}
	evs, _ := s.EventsAfter(ctx, before, 10)
	seen := map[int64]bool{}
	for _, ev := range evs {
		if ev.Kind != news.EventArticleUpdated || len(ev.Sections) != 1 || len(ev.Authors) != 1 {
			t.Errorf("event %+v", ev)
		}
		if ev.Listing != (ev.ArticleID == a.ID) {
			t.Errorf("event of article %d: listing %v (only a featured image is on cards)", ev.ArticleID, ev.Listing)
		}
		seen[ev.ArticleID] = true
	}
	if len(evs) != 2 || !seen[a.ID] || !seen[inBody.ID] {
		t.Errorf("events after a text change: %+v", evs)
	}

	bad := *lion
	bad.Alt = strings.Repeat("ن", 501)
	if err := s.UpdateMediaText(ctx, &bad); !news.IsInvalid(err) {
		t.Errorf("overlong alt: %v", err)
	}
	if err := s.UpdateMediaText(ctx, &news.Media{ID: 999999}); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("missing media: %v", err)
	}

	// Sizes are recorded beside the crops, and the worker's queue empties.
	if ids, _ := s.PendingMedia(ctx, 10); len(ids) != 7 || ids[0] != lion.ID {
		t.Errorf("pending: %v", ids)
	}
	crops := &news.Media{Path: "2026/11/c.jpg", MIME: "image/jpeg", SHA256: "cc", SizesState: news.SizesPending,
		Variants: map[string]news.MediaVariant{"1x1": {Path: "c-1x1.jpg", Width: 10, Height: 10}}}
	if err := s.CreateMedia(ctx, crops); err != nil {
		t.Fatal(err)
	}
	sizes := []news.MediaSize{{Path: "2026/11/c-320.webp", Width: 320, Height: 213, Format: "webp", Bytes: 99}}
	if err := s.SetMediaSizes(ctx, crops.ID, sizes, news.SizesReady); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetMedia(ctx, crops.ID)
	if got.SizesState != news.SizesReady || len(got.Sizes) != 1 || got.Sizes[0] != sizes[0] || got.Variants["1x1"].Width != 10 {
		t.Errorf("sizes: %+v", got)
	}
	if err := s.SetMediaSizes(ctx, 999999, nil, news.SizesFailed); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("sizes of missing media: %v", err)
	}
	withSizes := f.Article("خبر بصورة مقاسة")
	withSizes.FeaturedID = crops.ID
	if err := s.CreateArticle(ctx, withSizes); err != nil {
		t.Fatal(err)
	}
	if full, _ := s.GetArticle(ctx, withSizes.ID); full.Featured == nil || len(full.Featured.Sizes) != 1 {
		t.Errorf("featured image of an article lacks its sizes: %+v", full.Featured)
	}
}

func testImageTextsBeforePublishing(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	full := upload(t, s, "2026/11/full.jpg", "f1", "بديل", "تعليق", "مصور")
	noCredit := upload(t, s, "2026/11/nc.jpg", "f2", "بديل", "تعليق", "")
	noAlt := upload(t, s, "2026/11/na.jpg", "f3", "", "تعليق", "مصور")
	cases := []struct {
		name     string
		featured int64
		images   []news.Block
		fields   []string // refused with these fields; none: published
	}{
		{"complete", full.ID, []news.Block{{MediaID: full.ID}}, nil},
		{"featured without credit", noCredit.ID, nil, []string{"featured"}},
		{"block without alt", full.ID, []news.Block{{MediaID: full.ID}, {MediaID: noAlt.ID}}, []string{"body", "body.4"}},
		{"the block's own texts count", 0, []news.Block{{MediaID: noAlt.ID, Alt: "وصف في الخبر"}, {MediaID: noCredit.ID, Credit: "مصور الخبر"}}, nil},
	}
	for _, c := range cases {
		a := f.Article(c.name)
		a.FeaturedID = c.featured
		for _, b := range c.images {
			b.Type = news.BlockImage
			a.Body = append(a.Body, b)
		}
		a.Status = news.StatusPublished
		err := s.CreateArticle(ctx, a)
		var ie *news.InvalidError
		switch {
		case c.fields == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.fields != nil && !errors.As(err, &ie):
			t.Errorf("%s: published anyway (%v)", c.name, err)
		case c.fields != nil:
			for _, name := range c.fields {
				if ie.Fields[name] == "" {
					t.Errorf("%s: fields %v lack %q", c.name, ie.Fields, name)
				}
			}
		}
		// A draft may use any image; publishing it is what is refused.
		a.Status = news.StatusDraft
		if c.fields != nil {
			if err := s.CreateArticle(ctx, a); err != nil {
				t.Fatalf("%s as a draft: %v", c.name, err)
			}
			if _, err := s.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); !news.IsInvalid(err) {
				t.Errorf("%s: publishing the draft: %v", c.name, err)
			}
		}
	}
}
