package search_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestPagesAreSearched(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testPagesAreSearched(t, b.Open) })
	}
}

func testPagesAreSearched(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	svc := search.New(s)
	for _, p := range []news.Page{
		{Slug: "advertise", Title: "أعلن معنا", Body: []news.Block{{Type: news.BlockParagraph,
			Text: "يتواصل مسؤول الإعلانات مع المعلنين خلال يومين، ونرسل إليهم أسعار الإعلان الشهرية."}}},
		{Slug: "tips", Title: "أرسل إلينا خبراً", Description: "كيف تصل إلى محررينا بأمان",
			Body: []news.Block{{Type: news.BlockParagraph, Text: "لا نكشف مصادرنا. تكتب الإعلانات في صفحة أخرى."}}},
	} {
		if err := s.AddPage(ctx, &p, news.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		q    string
		o    search.Options
		want string // slugs in order, comma-separated
	}{
		{"a word of the body", "المعلنين", search.Options{}, "advertise"},
		{"a word of the title", "خبر", search.Options{}, "tips"},
		{"more hits first", "الإعلانات", search.Options{}, "advertise,tips"},
		{"the description counts", "محررينا", search.Options{}, "tips"},
		{"hamza carriers fold", "مسئول", search.Options{}, "advertise"},
		{"every word", "مسؤول مصادرنا", search.Options{}, ""},
		{"a phrase in order", `"أسعار الإعلان"`, search.Options{}, "advertise"},
		{"a phrase out of order", `"الإعلان أسعار"`, search.Options{}, ""},
		{"an exclusion", "الإعلانات -مصادرنا", search.Options{}, "advertise"},
		{"only on the first page", "المعلنين", search.Options{Offset: 10}, ""},
		{"not in a section", "المعلنين", search.Options{SectionID: 1}, ""},
		{"not within dates", "المعلنين", search.Options{From: day}, ""},
		{"not by date", "المعلنين", search.Options{ByDate: true}, ""},
	}
	for _, c := range cases {
		res, err := svc.Search(ctx, search.Parse(c.q), c.o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, p := range res.Pages {
			got = append(got, p.Page.Slug)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s (%s): pages %v, want %q", c.name, c.q, got, c.want)
		}
	}
	res, err := svc.Search(ctx, search.Parse("أعلن"), search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 1 || !strings.Contains(string(res.Pages[0].Title), "<mark>أعلن</mark>") {
		t.Errorf("the title is not marked: %+v", res.Pages)
	}
}
