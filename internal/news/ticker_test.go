package news

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTickerLineFor(t *testing.T) {
	long := strings.Repeat("كلمة ", 60) // 300 characters
	cases := []struct {
		name, headline, want string
	}{
		{"short", "  وزير   المالية يستقيل ", "وزير المالية يستقيل"},
		{"exactly the limit", strings.Repeat("ب", MaxTickerText), strings.Repeat("ب", MaxTickerText)},
		{"cut at a word", long, strings.Repeat("كلمة ", 38) + "كلمة…"},
		{"one long word", strings.Repeat("ب", 300), strings.Repeat("ب", MaxTickerText-1) + "…"},
	}
	for _, c := range cases {
		line := TickerLineFor(&Article{ID: 7, Headline: c.headline}, "/news/7/x")
		if line.Text != c.want || line.URL != "/news/7/x" || line.ArticleID != 7 {
			t.Errorf("%s: %+v, want %q", c.name, line, c.want)
		}
		if utf8.RuneCountInString(line.Text) > MaxTickerText {
			t.Errorf("%s: %d characters", c.name, utf8.RuneCountInString(line.Text))
		}
		if err := line.Normalize(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
