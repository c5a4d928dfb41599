package alert

import (
	"net/url"
	"strings"
	"testing"

	"khabar/internal/news"
)

// TestFitArticleAlert: the alert of an article whose headline is longer
// than an alert's title, or whose lead and address make the push payload
// too large, is cut to what every channel takes, at a word.
func TestFitArticleAlert(t *testing.T) {
	f := &Fanout{Lang: func() string { return "ar" }}
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("كلمة ", n)) }
	slug := url.PathEscape(strings.Repeat("عنوان-طويل-", 18))
	cases := []struct {
		name        string
		title, text string
		cutTitle    bool
		cutText     bool
	}{
		{"short", "عنوان قصير", "مقدمة", false, false},
		{"headline of 300 letters", words(60), "مقدمة", true, false},
		// Emoji take four bytes each.
		{"lead of 1000 emoji and a long Arabic address", words(60), strings.TrimSpace(strings.Repeat("😀😀😀 ", 250)), true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &news.Alert{Title: c.title, Text: c.text, URL: "https://khabar.example/news/12/" + slug, Topic: TopicBreaking, Urgency: string(UrgencyHigh)}
			f.fit(a)
			probe := &Alert{Title: a.Title, Text: a.Text, URL: a.URL, Urgency: Urgency(a.Urgency), Topic: a.Topic, Lang: f.Lang()}
			if err := probe.Validate(); err != nil {
				t.Fatalf("fitted alert refused: %v (title %d letters, payload %d bytes)", err, len([]rune(a.Title)), probe.PushPayloadSize())
			}
			if (a.Title != c.title) != c.cutTitle || (a.Text != c.text) != c.cutText {
				t.Errorf("title cut %v, text cut %v", a.Title != c.title, a.Text != c.text)
			}
			for _, s := range []string{a.Title, a.Text} {
				if strings.Contains(s, "كلم…") {
					t.Errorf("cut inside a word: %q", s)
				}
			}
		})
	}
}
