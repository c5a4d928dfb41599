package news

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSlugify(t *testing.T) {
	cases := []struct{ in, want string }{
		{"البنك المركزي يخفض الفائدة", "البنك-المركزي-يخفض-الفائدة"},
		{"  مُحَمَّدٌ   يَكتـــب ", "محمد-يكتب"},
		{"Putin, Biden & co.", "putin-biden-co"},
		{"عام ٢٠٢٦: ماذا بعد؟", "عام-2026-ماذا-بعد"},
		{"«الأسد» — تقرير", "الأسد-تقرير"},
		{"!!!", ""},
		{"a/b\\c?d#e", "a-b-c-d-e"},
		{strings.Repeat("ب", 500), strings.Repeat("ب", 80)},
	}
	for _, c := range cases {
		if got := Slugify(c.in); got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSanitizeInline(t *testing.T) {
	cases := []struct{ in, want string }{
		{`نص <strong>قوي</strong>`, `نص <strong>قوي</strong>`},
		{`<b>x</b><i>y</i>`, `xy`},
		{`<a href="https://e.org" onclick="x()">l</a>`, `<a href="https://e.org">l</a>`},
		{`<a href="javascript:alert(1)">l</a>`, `l`},
		{`<script>alert(1)</script>نص`, `نص`},
		{`<img src=x onerror=alert(1)>`, ``},
		{"سطر<br>سطر", "سطر<br>سطر"},
		{"bad \xff utf8", "bad  utf8"},
	}
	for _, c := range cases {
		if got := SanitizeInline(c.in); got != c.want {
			t.Errorf("SanitizeInline(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEmbeds(t *testing.T) {
	cases := []struct{ url, provider, youtube string }{
		{"https://www.youtube.com/watch?v=abcdefghijk", "youtube", "abcdefghijk"},
		{"https://youtu.be/abcdefghijk", "youtube", "abcdefghijk"},
		{"https://www.youtube.com/shorts/abcdefghijk", "youtube", "abcdefghijk"},
		{"https://www.youtube.com/watch?v=<script>", "youtube", ""},
		{"http://www.youtube.com/watch?v=abcdefghijk", "", "abcdefghijk"},
		{"https://x.com/user/status/1", "x", ""},
		{"https://t.me/channel/5", "telegram", ""},
		{"https://user:pw@x.com/a", "", ""},
		{"https://evil.example/watch?v=abcdefghijk", "", ""},
		{"javascript:alert(1)", "", ""},
	}
	for _, c := range cases {
		if got := EmbedProvider(c.url); got != c.provider {
			t.Errorf("EmbedProvider(%q) = %q, want %q", c.url, got, c.provider)
		}
		if got := YouTubeID(c.url); got != c.youtube {
			t.Errorf("YouTubeID(%q) = %q, want %q", c.url, got, c.youtube)
		}
	}
}

func TestNormalizeAndValidate(t *testing.T) {
	a := Article{Headline: "  عنوان\u0000 مع\r\nسطر ", SectionID: 1, Kicker: "\u202e", Body: []Block{
		{Type: BlockParagraph, Text: "فقرة"}, {Type: BlockHeading, Text: "عنوان"},
		{Type: BlockList, Items: []string{"", " أ ", "<script>x</script>"}},
	}}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if a.Headline != "عنوان مع سطر" || a.Status != StatusDraft || a.Language != "ar" || a.Slug != "عنوان-مع-سطر" {
		t.Errorf("normalised: %+v", a)
	}
	if a.Body[1].Level != 2 || len(a.Body[2].Items) != 1 {
		t.Errorf("blocks: %+v", a.Body)
	}
	bad := []struct {
		name  string
		a     Article
		field string
	}{
		{"no headline", Article{SectionID: 1}, "headline"},
		{"long headline", Article{Headline: strings.Repeat("ا", MaxHeadline+1), SectionID: 1}, "headline"},
		{"no section", Article{Headline: "x"}, "section"},
		{"status", Article{Headline: "x", SectionID: 1, Status: "lost"}, "status"},
		{"comments", Article{Headline: "x", SectionID: 1, CommentsMode: "open-bar"}, "comments_mode"},
		{"heading level", Article{Headline: "x", SectionID: 1, Body: []Block{{Type: BlockHeading, Text: "x", Level: 5}}}, "body"},
		{"image without media", Article{Headline: "x", SectionID: 1, Body: []Block{{Type: BlockImage}}}, "body"},
		{"empty quote", Article{Headline: "x", SectionID: 1, Body: []Block{{Type: BlockQuote}}}, "body"},
		{"huge block", Article{Headline: "x", SectionID: 1, Body: []Block{{Type: BlockQuote, Text: strings.Repeat("x", MaxBlockText+1)}}}, "body"},
		{"too many blocks", Article{Headline: "x", SectionID: 1, Body: make([]Block, MaxBlocks+1)}, "body"},
	}
	for _, c := range bad {
		err := c.a.Normalize()
		ie, ok := err.(*InvalidError)
		if !ok || ie.Fields[c.field] == "" {
			t.Errorf("%s: got %v, want a problem with %s", c.name, err, c.field)
		}
	}
}

func TestReadingTime(t *testing.T) {
	a := Article{Lead: "كلمة", Body: []Block{{Type: BlockParagraph, Text: strings.Repeat("كلمة ", 400)}}}
	if a.WordCount() != 401 || a.ReadingMinutes() != 3 {
		t.Errorf("words %d minutes %d", a.WordCount(), a.ReadingMinutes())
	}
	if (&Article{}).ReadingMinutes() != 1 {
		t.Error("empty article should read in a minute")
	}
}

func TestSafeLink(t *testing.T) {
	for link, want := range map[string]bool{
		"/news/1": true, "https://e.org/x": true, "http://e.org": true,
		"//evil.example": false, "javascript:alert(1)": false, "/a b": false, "ftp://e.org": false, "https://u:p@e.org": false,
	} {
		if SafeLink(link) != want {
			t.Errorf("SafeLink(%q) != %v", link, want)
		}
	}
}

// TestEmbargo: an article made from embargoed agency copy is neither
// published nor scheduled before the embargo ends; after it, both are.
func TestEmbargo(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	embargo := now.Add(2 * time.Hour)
	for _, tc := range []struct {
		name    string
		c       Change
		embargo time.Time
		want    string // the "at" field's code; "" when allowed
	}{
		{"publish during the embargo", Change{Action: ActionPublish}, embargo, "embargoed"},
		{"publish after it", Change{Action: ActionPublish}, now.Add(-time.Minute), ""},
		{"publish without one", Change{Action: ActionPublish}, time.Time{}, ""},
		{"schedule before it ends", Change{Action: ActionSchedule, At: embargo.Add(-time.Minute)}, embargo, "embargoed"},
		{"schedule as it ends", Change{Action: ActionSchedule, At: embargo}, embargo, ""},
		{"schedule after it", Change{Action: ActionSchedule, At: embargo.Add(time.Hour)}, embargo, ""},
	} {
		a := &Article{Status: StatusDraft, Embargo: tc.embargo}
		err := tc.c.Validate(a, now)
		var ie *InvalidError
		got := ""
		if errors.As(err, &ie) {
			got = ie.Fields["at"]
		}
		if got != tc.want {
			t.Errorf("%s: %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}
