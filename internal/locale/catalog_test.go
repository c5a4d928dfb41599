package locale

import (
	"strings"
	"testing"
	"time"
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

func TestAgo(t *testing.T) {
	ar, en := For("ar"), For("en")
	cases := []struct {
		d      time.Duration
		ar, en string
	}{
		{20 * time.Second, "الآن", "just now"},
		{time.Minute, "منذ دقيقة", "1 minute ago"},
		{2 * time.Minute, "منذ دقيقتين", "2 minutes ago"},
		{3 * time.Minute, "منذ ٣ دقائق", "3 minutes ago"},
		{11 * time.Minute, "منذ ١١ دقيقة", "11 minutes ago"},
		{59 * time.Minute, "منذ ٥٩ دقيقة", "59 minutes ago"},
		{time.Hour, "منذ ساعة", "1 hour ago"},
		{2 * time.Hour, "منذ ساعتين", "2 hours ago"},
		{5 * time.Hour, "منذ ٥ ساعات", "5 hours ago"},
		{23 * time.Hour, "منذ ٢٣ ساعة", "23 hours ago"},
		{24 * time.Hour, "منذ يوم", "1 day ago"},
		{48 * time.Hour, "منذ يومين", "2 days ago"},
		{6 * 24 * time.Hour, "منذ ٦ أيام", "6 days ago"},
		{8 * 24 * time.Hour, "", ""},
	}
	for _, c := range cases {
		if got := ar.Ago(c.d, DigitsArabic); got != c.ar {
			t.Errorf("ar Ago(%s) = %q, want %q", c.d, got, c.ar)
		}
		if got := en.Ago(c.d, DigitsLatin); got != c.en {
			t.Errorf("en Ago(%s) = %q, want %q", c.d, got, c.en)
		}
	}
	// The issue's own examples, including 100 (CLDR "other").
	if got := ar.N("ago_minutes", 100, DigitsArabic); got != "منذ ١٠٠ دقيقة" {
		t.Errorf("100 minutes: %q", got)
	}
}

func TestZoneName(t *testing.T) {
	cases := []struct{ lang, id, want string }{
		{"ar", "Asia/Beirut", "بيروت"},
		{"ar", "Africa/Casablanca", "الدار البيضاء"},
		{"ar", "UTC", "التوقيت العالمي المنسّق"},
		{"en", "Asia/Qatar", "Doha"},
		{"ar", "America/Argentina/Buenos_Aires", "Buenos Aires"},
		{"ar", "Etc/GMT+3", "GMT+3"},
	}
	for _, c := range cases {
		if got := For(c.lang).ZoneName(c.id); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.id, got, c.want)
		}
	}
}
