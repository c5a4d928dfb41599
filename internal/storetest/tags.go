package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
)

// testSuggestTags: the tag field's suggestions match the typed prefix
// whatever the hamza, most used first, and never treat the typed text as
// a pattern.
func testSuggestTags(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	for i, tags := range [][]string{{"الأسد", "دمشق"}, {"الأسد", "الأسواق"}, {"أسعار النفط", "Gaza"}, {"الاستثمار"}} {
		a := f.Article("خبر الوسوم " + strings.Repeat("أ", i+1))
		for _, name := range tags {
			a.Tags = append(a.Tags, news.Tag{Name: name})
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// Tags the narrowing LIKE lets through (any letter where the typed
	// text has one that folds) but the folded prefix refuses, used more
	// than what was asked for: they must not crowd it out.
	for i := range 3 {
		a := f.Article("خبر الوسوم المشابهة " + strings.Repeat("ب", i+1))
		for j := range 12 {
			a.Tags = append(a.Tags, news.Tag{Name: "الكس " + strconv.Itoa(j)})
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		typed string
		limit int
		want  string
	}{
		{"الأس", 10, "الأسد الأسواق الاستثمار"},
		{"الاس", 10, "الأسد الأسواق الاستثمار"},
		{"الاس", 1, "الأسد"},
		{"الإس", 2, "الأسد الأسواق"},
		{"اسعار", 10, "أسعار النفط"},
		{"أسعار ال", 10, "أسعار النفط"},
		{"ga", 10, "Gaza"},
		{"GAZ", 10, "Gaza"},
		{"دمشق", 10, "دمشق"},
		{"بيروت", 10, ""},
		{"%", 10, ""},
		{"_", 10, ""},
		{"  ", 10, ""},
		{"ال", 0, ""},
		{"د", 10, ""}, // one letter suggests nothing
	}
	for _, c := range cases {
		got, err := s.SuggestTags(ctx, c.typed, c.limit)
		if err != nil {
			t.Fatalf("%q: %v", c.typed, err)
		}
		var names []string
		for _, tag := range got {
			names = append(names, tag.Name)
		}
		if strings.Join(names, " ") != c.want {
			t.Errorf("suggestions for %q (limit %d): %q, want %q", c.typed, c.limit, strings.Join(names, " "), c.want)
		}
	}
}
