package news

import (
	"errors"
	"strings"
	"testing"
)

func TestCorrectionNormalize(t *testing.T) {
	cases := []struct {
		name     string
		kind     CorrectionKind
		text     string
		want     string            // the text once clean, when valid
		problems map[string]string // field -> code; nil when valid
	}{
		{"correction", Erratum, "  ورد خطأً أن الوزير   استقال؛ الصحيح أنه أُقيل. ", "ورد خطأً أن الوزير استقال؛ الصحيح أنه أُقيل.", nil},
		{"note on lines", EditorsNote, "حُدّث الخبر\r\nبعد بيان\tالوزارة", "حُدّث الخبر بعد بيان الوزارة", nil},
		{"bidi controls dropped", Erratum, "\u202eتصحيح\u2066 الرقم\u2069\u200b", "تصحيح الرقم", nil},
		{"exactly the limit", Erratum, strings.Repeat("ب", MaxCorrectionText), strings.Repeat("ب", MaxCorrectionText), nil},
		{"empty", Erratum, "", "", map[string]string{"text": "required"}},
		{"only invisible", EditorsNote, " \u202e\u200b\ufeff\u2067 ", "", map[string]string{"text": "required"}},
		{"too long", Erratum, strings.Repeat("ب", MaxCorrectionText+1), "", map[string]string{"text": "too_long"}},
		{"invalid UTF-8", Erratum, "تصحيح \xff", "", map[string]string{"text": "bad_encoding"}},
		{"unknown kind", "retraction", "نص", "", map[string]string{"kind": "unknown"}},
		{"no kind, no text", "", "", "", map[string]string{"kind": "unknown", "text": "required"}},
	}
	for _, c := range cases {
		cr := Correction{Kind: c.kind, Text: c.text}
		err := cr.Normalize()
		if c.problems == nil {
			if err != nil || cr.Text != c.want {
				t.Errorf("%s: %q, %v; want %q", c.name, cr.Text, err, c.want)
			}
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) || KindOf(err) != KindInvalid {
			t.Errorf("%s: %v, want fields %v", c.name, err, c.problems)
			continue
		}
		if len(ie.Fields) != len(c.problems) {
			t.Errorf("%s: fields %v, want %v", c.name, ie.Fields, c.problems)
		}
		for f, code := range c.problems {
			if ie.Fields[f] != code {
				t.Errorf("%s: %s is %q, want %q", c.name, f, ie.Fields[f], code)
			}
		}
	}
}
