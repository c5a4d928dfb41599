package demo

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"khabar/internal/news"
)

func TestPlaceholderSVG(t *testing.T) {
	long := strings.Repeat("كلمة طويلة في تعليق الصورة ", 10)
	tests := []struct {
		name          string
		caption       string
		hue, w, h     int
		wantText      string // must appear in the output, already escaped
		wantEllipsis  bool
		wantNoCaption bool
	}{
		{name: "arabic", caption: "جانب من جلسة التصويت في مجلس النواب", hue: 210, w: 1200, h: 675, wantText: "جانب من جلسة التصويت"},
		{name: "markup", caption: `<script>alert("x")</script> & 'quotes'`, hue: 10, w: 800, h: 450, wantText: "&lt;script&gt;"},
		{name: "ampersand", caption: "الخبز & الملح < 5 > 3", hue: 359, w: 640, h: 360, wantText: "&amp;"},
		{name: "quotes", caption: `قال: "نعم" و'لا' «ربما»`, hue: 120, w: 1200, h: 675, wantText: "«ربما»"},
		{name: "empty", caption: "", hue: 45, w: 1200, h: 675, wantNoCaption: true},
		{name: "blank", caption: " \n\t ", hue: 45, w: 300, h: 200, wantNoCaption: true},
		{name: "control chars", caption: "سطر\x00أول\x1b\nسطر ثانٍ\uFFFE", hue: 90, w: 1200, h: 675, wantText: "سطر"},
		{name: "long", caption: long, hue: 300, w: 1200, h: 675, wantEllipsis: true},
		{name: "one long word", caption: strings.Repeat("ب", 200), hue: 5, w: 400, h: 300, wantEllipsis: true},
		{name: "odd hue and size", caption: "لون خارج النطاق", hue: -725, w: 0, h: -1, wantText: "لون خارج النطاق"},
		{name: "tiny", caption: "صغيرة جداً", hue: 720, w: 16, h: 9, wantText: "صغيرة"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := placeholderSVG(tc.caption, tc.hue, tc.w, tc.h)
			if !utf8.Valid(out) {
				t.Fatal("output is not valid UTF-8")
			}
			root, texts := parseSVG(t, out)
			if root.Name.Space != "http://www.w3.org/2000/svg" || root.Name.Local != "svg" {
				t.Fatalf("root element = %v", root.Name)
			}
			attrs := map[string]string{}
			for _, a := range root.Attr {
				attrs[a.Name.Local] = a.Value
			}
			for _, k := range []string{"width", "height", "viewBox"} {
				if attrs[k] == "" {
					t.Errorf("root has no %s", k)
				}
			}
			s := string(out)
			if !strings.Contains(s, `xmlns="http://www.w3.org/2000/svg"`) {
				t.Error("no xmlns")
			}
			for _, bad := range []string{"<script", "href", "<image", "<foreignObject", "url(http", "@import"} {
				if strings.Contains(s, bad) {
					t.Errorf("output contains %q", bad)
				}
			}
			if tc.wantText != "" && !strings.Contains(s, tc.wantText) {
				t.Errorf("output lacks %q", tc.wantText)
			}
			// texts[0] is the brand badge; the rest are caption lines.
			caption := strings.Join(texts[1:], " ")
			if tc.wantNoCaption && caption != "" {
				t.Errorf("empty caption drew %q", caption)
			}
			if !tc.wantNoCaption && caption == "" {
				t.Error("caption not drawn")
			}
			if tc.wantEllipsis && !strings.HasSuffix(caption, "…") {
				t.Errorf("long caption not truncated: %q", caption)
			}
			if n := utf8.RuneCountInString(caption); n > svgMaxCaption+2 {
				t.Errorf("caption drawn with %d runes", n)
			}
			if !strings.Contains(s, `direction="rtl"`) || !strings.Contains(s, `text-anchor="middle"`) {
				t.Error("caption text is not rtl/middle")
			}
			if !bytes.Equal(out, placeholderSVG(tc.caption, tc.hue, tc.w, tc.h)) {
				t.Error("output is not deterministic")
			}
		})
	}
}

// parseSVG decodes the whole document and returns its root element and the
// character data of every <text> element in order.
func parseSVG(t *testing.T, data []byte) (xml.StartElement, []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root xml.StartElement
	var texts []string
	depth, inText := 0, false
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, data)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = el.Copy()
			}
			depth++
			if el.Name.Local == "text" {
				inText = true
				cur.Reset()
			}
		case xml.EndElement:
			depth--
			if el.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		case xml.CharData:
			if inText {
				cur.Write(el)
			}
		}
	}
	if root.Name.Local == "" {
		t.Fatal("no root element")
	}
	return root, texts
}

func TestContent(t *testing.T) {
	sectionSlugs := map[string]bool{}
	for _, s := range sections {
		if s.Slug == "" || s.Name == "" || news.Slugify(s.Slug) != s.Slug {
			t.Errorf("bad section %+v", s)
		}
		if sectionSlugs[s.Slug] {
			t.Errorf("duplicate section %q", s.Slug)
		}
		sectionSlugs[s.Slug] = true
	}
	for _, want := range []string{"politics", "economy", "sports", "culture", "technology"} {
		if !sectionSlugs[want] {
			t.Errorf("missing section %q", want)
		}
	}
	authorSlugs := map[string]bool{}
	for _, a := range authors {
		if a.Slug == "" || a.Name == "" || a.Bio == "" || news.Slugify(a.Slug) != a.Slug {
			t.Errorf("bad author %+v", a)
		}
		if authorSlugs[a.Slug] {
			t.Errorf("duplicate author %q", a.Slug)
		}
		authorSlugs[a.Slug] = true
	}
	if len(authors) < 6 {
		t.Errorf("%d authors, want at least 6", len(authors))
	}
	if len(articles) < 30 {
		t.Errorf("%d articles, want at least 30", len(articles))
	}

	perSection := map[string]int{}
	hours := map[int]string{}
	slugs := map[string]bool{}
	tagUse := map[string]int{}
	longest, breaking := 0, 0
	for i := range articles {
		a := &articles[i]
		name := a.Headline
		if a.Headline == "" {
			t.Errorf("article %d has no headline", i)
		}
		if n := utf8.RuneCountInString(a.Headline); n > news.MaxHeadline {
			t.Errorf("%s: headline has %d runes", name, n)
		}
		if n := utf8.RuneCountInString(a.Kicker); n == 0 || n > news.MaxKicker {
			t.Errorf("%s: kicker has %d runes", name, n)
		}
		if n := utf8.RuneCountInString(a.Lead); n == 0 || n > news.MaxLead {
			t.Errorf("%s: lead has %d runes", name, n)
		}
		if utf8.RuneCountInString(a.Source) > news.MaxSource {
			t.Errorf("%s: source too long", name)
		}
		slug := news.Slugify(a.Headline)
		if slugs[slug] {
			t.Errorf("%s: slug %q not unique", name, slug)
		}
		slugs[slug] = true
		if !sectionSlugs[a.Section] {
			t.Errorf("%s: unknown section %q", name, a.Section)
		}
		perSection[a.Section]++
		if len(a.Authors) < 1 || len(a.Authors) > 3 {
			t.Errorf("%s: %d authors", name, len(a.Authors))
		}
		seen := map[string]bool{}
		for _, au := range a.Authors {
			if !authorSlugs[au] {
				t.Errorf("%s: unknown author %q", name, au)
			}
			if seen[au] {
				t.Errorf("%s: author %q twice", name, au)
			}
			seen[au] = true
		}
		if len(a.Tags) < 2 || len(a.Tags) > 5 {
			t.Errorf("%s: %d tags", name, len(a.Tags))
		}
		for _, tag := range a.Tags {
			if strings.TrimSpace(tag) == "" {
				t.Errorf("%s: empty tag", name)
			}
			tagUse[tag]++
		}
		if a.HoursAgo <= 0 {
			t.Errorf("%s: HoursAgo = %d", name, a.HoursAgo)
		}
		if prev, dup := hours[a.HoursAgo]; dup {
			t.Errorf("%s: HoursAgo %d already used by %s", name, a.HoursAgo, prev)
		}
		hours[a.HoursAgo] = name
		if a.HoursAgo > 24*11 {
			t.Errorf("%s: HoursAgo %d is more than ~10 days", name, a.HoursAgo)
		}
		if a.Breaking {
			breaking++
		}
		if a.Image.Caption == "" || a.Image.Alt == "" || a.Image.Hue < 0 || a.Image.Hue > 359 {
			t.Errorf("%s: bad image %+v", name, a.Image)
		}
		if len(a.Body) == 0 {
			t.Errorf("%s: empty body", name)
		}

		words := len(strings.Fields(a.Lead))
		for j, blk := range a.Body {
			b := blk // a copy; the table itself stays untouched
			if b.Type == news.BlockImage {
				if b.MediaID != 0 {
					t.Errorf("%s: block %d: image MediaID should be left 0", name, j)
				}
				if b.Caption == "" || b.Alt == "" {
					t.Errorf("%s: block %d: image without caption or alt", name, j)
				}
				b.MediaID = 1
			}
			if err := (&b).Validate(); err != nil {
				t.Errorf("%s: block %d (%s): %v", name, j, b.Type, err)
			}
			// Inline HTML must already be in the sanitised form the
			// store keeps, so nothing changes when it is normalised.
			if b.Type == news.BlockParagraph {
				if got := news.SanitizeInline(b.Text); got != b.Text {
					t.Errorf("%s: block %d changes when sanitised:\n%s\n%s", name, j, b.Text, got)
				}
			}
			for _, it := range b.Items {
				if got := news.SanitizeInline(it); got != it {
					t.Errorf("%s: block %d item changes when sanitised: %s", name, j, it)
				}
			}
			if b.Type == news.BlockEmbed && news.YouTubeID(b.URL) == "" {
				t.Errorf("%s: block %d: embed %q is not a YouTube video", name, j, b.URL)
			}
			words += len(strings.Fields(b.PlainText()))
		}
		longest = max(longest, words)

		// The whole article must pass the domain's own checks.
		art := news.Article{
			Kicker: a.Kicker, Headline: a.Headline, Lead: a.Lead, Source: a.Source,
			SectionID: 1, Status: news.StatusPublished, Breaking: a.Breaking,
		}
		for _, blk := range a.Body {
			if blk.Type == news.BlockImage {
				blk.MediaID = 1
			}
			blk.Items = append([]string(nil), blk.Items...)
			art.Body = append(art.Body, blk)
		}
		if err := art.Normalize(); err != nil {
			t.Errorf("%s: Normalize: %v", name, err)
		}
	}
	for _, s := range sections {
		if perSection[s.Slug] < 5 {
			t.Errorf("section %q has %d articles, want at least 5", s.Slug, perSection[s.Slug])
		}
	}
	if len(sections) < 5 {
		t.Errorf("%d sections, want at least 5", len(sections))
	}
	if longest < 1500 {
		t.Errorf("longest article has %d words, want at least 1500", longest)
	}
	if breaking < 2 || breaking > 3 {
		t.Errorf("%d breaking articles, want 2 or 3", breaking)
	}
	shared := 0
	for _, n := range tagUse {
		if n >= 3 {
			shared++
		}
	}
	if shared < 5 {
		t.Errorf("only %d tags are used by 3 or more articles", shared)
	}

	if len(tickerItems) != 2 {
		t.Errorf("%d ticker items, want 2", len(tickerItems))
	}
	for _, s := range tickerItems {
		if n := utf8.RuneCountInString(s); n == 0 || n > 120 {
			t.Errorf("ticker item has %d runes: %s", n, s)
		}
		item := news.TickerItem{Text: s}
		if err := item.Normalize(); err != nil {
			t.Errorf("ticker item %q: %v", s, err)
		}
	}
}
