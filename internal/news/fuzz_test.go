package news

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"البنك المركزي", "Putin 2024", "«الأسد»؟", "a/b", "\xff\xfe", "ـــ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "/?#% \\") || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") {
			t.Fatalf("Slugify(%q) = %q", s, got)
		}
		if again := Slugify(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

// FuzzArticleNormalize: whatever an editor or importer sends, Normalize
// either refuses it or returns an article that stays the same when
// normalised again (so saving twice never changes content) and whose
// paragraph markup holds no script.
func FuzzArticleNormalize(f *testing.F) {
	f.Add("عنوان", "<strong>x</strong>", "quote", "https://youtu.be/abcdefghijk")
	f.Add("\x00", "<script>alert(1)</script>", "<img onerror=x>", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, headline, para, quote, embed string) {
		a := Article{Headline: headline, SectionID: 1, Body: []Block{
			{Type: BlockParagraph, Text: para}, {Type: BlockQuote, Text: quote}, {Type: BlockEmbed, URL: embed},
			{Type: BlockList, Items: []string{para, quote}},
		}}
		if err := a.Normalize(); err != nil {
			return
		}
		first := a.Body[0].Text
		if strings.Contains(strings.ToLower(first), "<script") || strings.Contains(strings.ToLower(first), "javascript:") {
			t.Fatalf("unsafe paragraph survived: %q", first)
		}
		if err := a.Normalize(); err != nil {
			t.Fatalf("normalised article no longer valid: %v", err)
		}
		if a.Body[0].Text != first {
			t.Fatalf("normalising twice changed %q to %q", first, a.Body[0].Text)
		}
	})
}
