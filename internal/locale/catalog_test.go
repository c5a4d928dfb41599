package locale

import (
	"strings"
	"testing"
)

func TestCataloguesInStep(t *testing.T) {
	ar, en := For("ar"), For("en")
	enKeys := map[string]bool{}
	for _, k := range en.Keys() {
		enKeys[k] = true
	}
	for _, k := range ar.Keys() {
		if !enKeys[k] {
			t.Errorf("key %q is in Arabic but not English", k)
		}
		delete(enKeys, k)
		if strings.TrimSpace(ar.T(k)) == "" || strings.TrimSpace(en.T(k)) == "" {
			t.Errorf("key %q is empty", k)
		}
		if strings.Count(ar.T(k), "%") != strings.Count(en.T(k), "%") {
			t.Errorf("key %q: Arabic and English take different arguments", k)
		}
	}
	for k := range enKeys {
		t.Errorf("key %q is in English but not Arabic", k)
	}
	if For("fr").Lang() != "ar" || For("ar").Dir() != "rtl" || For("en").Dir() != "ltr" {
		t.Error("language fallback or direction wrong")
	}
}

func TestPlural(t *testing.T) {
	cases := []struct {
		n    int
		want string
		text string
	}{
		{0, "zero", "أقل من دقيقة قراءة"},
		{1, "one", "دقيقة قراءة واحدة"},
		{2, "two", "دقيقتا قراءة"},
		{3, "few", "٣ دقائق قراءة"},
		{10, "few", "١٠ دقائق قراءة"},
		{11, "many", "١١ دقيقة قراءة"},
		{99, "many", "٩٩ دقيقة قراءة"},
		{100, "other", "١٠٠ دقيقة قراءة"},
		{103, "few", "١٠٣ دقائق قراءة"},
	}
	ar := For("ar")
	for _, c := range cases {
		if got := PluralCategory("ar", c.n); got != c.want {
			t.Errorf("PluralCategory(ar, %d) = %s, want %s", c.n, got, c.want)
		}
		if got := ar.N("reading_time", c.n, DigitsArabic); got != c.text {
			t.Errorf("N(%d) = %q, want %q", c.n, got, c.text)
		}
	}
	if PluralCategory("en", 1) != "one" || PluralCategory("en", 2) != "other" {
		t.Error("English plural")
	}
}
