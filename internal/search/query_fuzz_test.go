package search_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"khabar/internal/search"
)

// FuzzParse: any input parses, and what comes out is safe to hand to the
// store, which quotes terms into FTS5 MATCH and tsquery strings.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"بشار الأسد؟",
		"بَشّار -شار",
		`"ضوء القمر" -حفلة`,
		"«مرسى الغيث» “البنك المركزي”",
		`"غير مغلق`,
		"«غير مغلق",
		"- -- −كلمة",
		"في من على",
		"Zarkov زاركوف ٢٠٢٤ 2024",
		"co-operation 2024/25",
		"ﷺ ﻻ ﹰ",
		"الـنـافـورة",
		"a'b\"c(d)e*f:g",
		"\xff\xfe\xd8",
		"مح\u200cمد \u202eمعكوس\u202c",
		strings.Repeat("كلمة ", 60),
		strings.Repeat(`"ا" `, 30),
		strings.Repeat("ب", 300),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := search.Parse(raw)
		if !utf8.ValidString(q.Raw) {
			t.Errorf("Raw %q is not valid UTF-8", q.Raw)
		}
		if n := utf8.RuneCountInString(q.Raw); n > search.MaxQueryRunes {
			t.Errorf("Raw has %d runes, more than %d", n, search.MaxQueryRunes)
		}
		if len(q.Phrases) > 12 {
			t.Errorf("%d phrases, more than 12", len(q.Phrases))
		}
		check := func(where, term string) {
			if term == "" {
				t.Errorf("empty term in %s: %q", where, raw)
				return
			}
			if !utf8.ValidString(term) {
				t.Errorf("%s term %q is not valid UTF-8", where, term)
			}
			for _, r := range term {
				if strings.ContainsRune(`"'()*:`, r) || unicode.IsSpace(r) {
					t.Errorf("%s term %q holds %q (query %q)", where, term, r, raw)
				}
			}
		}
		for _, p := range q.Phrases {
			if len(p) == 0 {
				t.Errorf("empty phrase in %q", raw)
			}
			for _, term := range p {
				check("phrase", term)
			}
		}
		for _, term := range q.Not {
			check("not", term)
		}
		for _, term := range q.Highlight {
			check("highlight", term)
		}
		if q.OnlyStopwords && !q.Empty() {
			t.Errorf("OnlyStopwords with %d phrases", len(q.Phrases))
		}
	})
}
