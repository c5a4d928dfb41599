package search_test

import (
	"testing"

	"khabar/internal/search"
)

// TestMark: a headline or tag shows why it matched, as written, with
// only the matching words marked and everything else escaped.
func TestMark(t *testing.T) {
	cases := []struct {
		text, query string
		want        string
		matched     bool
	}{
		{"الرئيس يلتقي وزير الخارجية", "الرئاسة الخارجية", "الرئيس يلتقي وزير <mark>الخارجية</mark>", true},
		{"«مسؤول» يستقيل", "مسئول", "«<mark>مسؤول</mark>» يستقيل", true},
		{"<b>عاجل</b> & خبر", "عاجل", "&lt;b&gt;<mark>عاجل</mark>&lt;/b&gt; &amp; خبر", true},
		{"أسعار الخبز", "القمح", "أسعار الخبز", false},
		{"", "القمح", "", false},
	}
	for _, c := range cases {
		got, matched := search.Mark(c.text, search.Parse(c.query).Highlight)
		if string(got) != c.want || matched != c.matched {
			t.Errorf("Mark(%q, %q) = %q, %v; want %q, %v", c.text, c.query, got, matched, c.want, c.matched)
		}
	}
}
