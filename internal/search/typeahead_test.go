package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// Typeahead headlines, also the tests' names for the articles.
const (
	taLion     = "حديقة الحيوان في الواحة تستقبل شبلين جديدين: من يربّي الأسد؟"
	taHospital = "افتتاح مستشفى جديد للأطفال قرب مدرسة الزيتون"
	taDraft    = "مسودة: الأسد الذهبي يعود إلى الساحة"
	taOld      = "الأسود يحتفلون بالكأس في ساحة البلدة"
)

// TestTypeahead: what a reader types finds published headlines and the
// sections, tags and authors of published articles by the starts of
// their words, folded as search folds, with the article «ال» typed or
// not; drafts and names only drafts carry never show; an article taken
// down leaves the suggestions once the search consumer sees it.
func TestTypeahead(t *testing.T) { storetest.Each(t, testTypeahead) }

func testTypeahead(t *testing.T, s *store.Store) {
	ctx := context.Background()
	sec := news.Section{Name: "أسواق المال", Slug: "markets"}
	hidden := news.Section{Name: "أسرار التحرير", Slug: "desk"}
	for _, x := range []*news.Section{&sec, &hidden} {
		if err := s.CreateSection(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	hidden.Hidden = true
	if err := s.UpdateSection(ctx, &hidden, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	author := news.Author{Name: "أسامة الأسعد", Slug: "osama"}
	if err := s.CreateAuthor(ctx, &author); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	at := time.Date(2025, time.March, 1, 9, 0, 0, 0, time.UTC)
	for i, f := range []struct {
		headline string
		status   news.Status
		tags     []string
		section  int64
	}{
		{taOld, news.StatusPublished, []string{"الأسود"}, sec.ID},
		{taLion, news.StatusPublished, nil, sec.ID},
		{taHospital, news.StatusPublished, nil, sec.ID},
		{taDraft, news.StatusDraft, []string{"أسرار"}, hidden.ID},
	} {
		a := news.Article{Headline: f.headline, SectionID: f.section, Status: f.status, Authors: []news.Author{author}, UpdatedAt: at}
		if f.status == news.StatusPublished {
			a.PublishedAt = at.Add(time.Duration(i) * time.Hour) // later ones newer
		}
		for _, tag := range f.tags {
			a.Tags = append(a.Tags, news.Tag{Name: tag})
		}
		if err := s.CreateArticle(ctx, &a); err != nil {
			t.Fatal(err)
		}
		ids[f.headline] = a.ID
	}
	svc := search.New(s)
	if err := svc.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	labels := func(q string) []string {
		t.Helper()
		got, err := svc.Typeahead(ctx, q)
		if err != nil {
			t.Fatalf("typeahead %q: %v", q, err)
		}
		var out []string
		for _, g := range got {
			if g.URL == "" {
				t.Errorf("typeahead %q: %q leads nowhere", q, g.Label)
			}
			out = append(out, g.Kind+":"+g.Label)
		}
		return out
	}
	art := func(h string) string { return search.KindArticle + ":" + h }
	for _, c := range []struct {
		name, q string
		want    []string // in order
	}{
		{"hamza typed bare", "الاسد", []string{art(taLion)}},
		{"without the article", "اسد", []string{art(taLion)}},
		{"diacritics and tatweel", "الأَسَـد", []string{art(taLion)}},
		{"prefix of a word", "الأس", []string{news.ListTag + ":الأسود", news.ListAuthor + ":أسامة الأسعد", art(taLion), art(taOld)}},
		{"prefix, no article", "اسو", []string{news.ListSection + ":أسواق المال", news.ListTag + ":الأسود", art(taOld)}},
		{"alef maqsura as ya", "مستشفي", []string{art(taHospital)}},
		{"ta marbuta as ha", "مدرسه الزي", []string{art(taHospital)}},
		{"every word must match", "حديقة الكأس", nil},
		{"a middle word", "تستق", []string{art(taLion)}},
		{"finished stop word ignored", "في الواحة", []string{art(taLion)}},
		{"section", "اسواق", []string{news.ListSection + ":أسواق المال"}},
		{"section, second word", "الما", []string{news.ListSection + ":أسواق المال"}},
		{"author, every kind in order", "اس", []string{news.ListSection + ":أسواق المال", news.ListTag + ":الأسود", news.ListAuthor + ":أسامة الأسعد",
			art(taLion), art(taOld)}},
		{"a draft's headline, tag and hidden section", "اسرار", nil},
		{"the draft alone holds it", "الذهبي", nil},
		{"one letter", "ا", nil},
		{"one letter after folding", "أُ", nil},
		{"nothing", "  ", nil},
	} {
		if got := labels(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q suggests\n%q\nwant\n%q", c.name, c.q, got, c.want)
		}
	}

	// Taken down: gone once the consumer has seen it.
	lion, err := s.GetArticle(ctx, ids[taLion])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, lion.ID, lion.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	if err := svc.HandleEvent(ctx, news.Event{Kind: news.EventArticleUnpublished, ArticleID: lion.ID}); err != nil {
		t.Fatal(err)
	}
	if got := labels("الاسد"); len(got) != 0 {
		t.Errorf("after unpublishing, «الاسد» suggests %q", got)
	}
	// A deleted article's rows go too.
	if err := s.UnindexArticle(ctx, ids[taOld]); err != nil {
		t.Fatal(err)
	}
	if got := labels("ساحة"); len(got) != 0 {
		t.Errorf("after unindexing, «ساحة» suggests %q", got)
	}
}

// TestTypeaheadHostile: what no search field sends is refused with a
// reason, never looked up.
func TestTypeaheadHostile(t *testing.T) {
	for _, c := range []struct{ name, q string }{
		{"invalid UTF-8", "ال\xff\xfeاسد"},
		{"control character", "الاسد\x00"},
		{"escape", "\x1b[31mالاسد"},
		{"too long", strings.Repeat("ب", 201)},
	} {
		if _, err := search.TypeaheadWords(c.q); !news.IsInvalid(err) {
			t.Errorf("%s: error %v, want it invalid", c.name, err)
		}
	}
	words, err := search.TypeaheadWords(strings.Repeat("كلمة ", 30) + strings.Repeat("ط", 30))
	if err != nil {
		t.Fatal(err)
	}
	if len(words) != 6 || words[5] != strings.Repeat("ط", 15) {
		t.Errorf("a long question's words: %q, want the last 6, cut to 15 letters", words)
	}
}
