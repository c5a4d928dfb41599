package search_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/storetest"
)

func TestNearWordsRankFirst(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := storetest.Seed(t, s)
			// The same words, as often, in texts of the same length: only
			// their distance differs.
			// "together" is written first: on a tie the newer id would
			// come first.
			bodies := [][2]string{
				{"together", "رفع البنك المركزي أسعار الخبز والوقود والكهرباء والماء في المدن"},
				{"apart", "رفع البنك أسعار الخبز والوقود والكهرباء والماء في المدن المركزي"},
			}
			ids := map[int64]string{}
			for _, nb := range bodies {
				name, body := nb[0], nb[1]
				a := f.Article("خبر " + name)
				a.Lead, a.Status, a.PublishedAt = "", news.StatusPublished, time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
				a.Body = []news.Block{{Type: news.BlockParagraph, Text: body}}
				if err := s.CreateArticle(ctx, a); err != nil {
					t.Fatal(err)
				}
				ids[a.ID] = name
			}
			svc := search.New(s)
			if err := svc.Reindex(ctx, nil); err != nil {
				t.Fatal(err)
			}
			res, err := svc.Search(ctx, search.Parse("البنك المركزي"), search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, ids[h.Article.ID])
			}
			if strings.Join(got, ",") != "together,apart" {
				t.Errorf("ranked %v, want the words side by side first", got)
			}
		})
	}
}
