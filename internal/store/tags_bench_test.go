package store_test

import (
	"context"
	"strconv"
	"testing"

	"khabar/internal/news"
	"khabar/internal/storetest"
)

// BenchmarkSuggestTags is one keystroke in the tag field with 20,000 tags
// on 2,000 articles, all starting with «ال» as Arabic tags so often do:
// a short prefix matches them all and ranks them by use.
func BenchmarkSuggestTags(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			ctx := context.Background()
			secs, _ := s.ListSections(ctx)
			if len(secs) == 0 {
				sec := news.Section{Name: "س", Slug: "s"}
				if err := s.CreateSection(ctx, &sec); err != nil {
					b.Fatal(err)
				}
				secs = append(secs, sec)
			}
			words := []string{"الأسد", "الاقتصاد", "السياسة", "الأمن", "الانتخابات", "البرلمان", "الحكومة", "الرئيس", "الحرب", "السلام"}
			for i := range 2000 {
				a := &news.Article{Headline: "خبر " + strconv.Itoa(i), SectionID: secs[0].ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "ن"}}}
				for j := range 10 {
					a.Tags = append(a.Tags, news.Tag{Name: words[j] + " " + strconv.Itoa(i*10+j)})
				}
				if err := s.CreateArticle(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			for _, q := range []string{"ال", "الا", "الأسد 1"} {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.SuggestTags(ctx, q, 8); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
