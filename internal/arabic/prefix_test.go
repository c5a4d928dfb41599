package arabic

import (
	"slices"
	"testing"
)

func TestPrefixWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"الأسد", []string{"الاسد", "اسد"}},
		{"والمدرسةُ في بالقاهرة", []string{"والمدرسه", "مدرسه", "بالقاهره", "قاهره"}},
		{"للأطفال", []string{"للاطفال", "اطفال"}},
		{"بشار على", []string{"بشار"}}, // a bare ب is no article; على a stop word
		{"الم", []string{"الم"}},       // «ال» needs two letters after it
		{"Zarkov ٢٠٢٤ مستشفى", []string{"zarkov", "2024", "مستشفي"}},
		{"ـــ ًٌ", nil},
	} {
		if got := PrefixWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("PrefixWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
