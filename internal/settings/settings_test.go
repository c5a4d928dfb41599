package settings

import (
	"context"
	"strings"
	"testing"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

func valid() map[string]string {
	m := Defaults().ToMap()
	m["youtube"] = "https://www.youtube.com/@outlet"
	return m
}

func TestRoundTrip(t *testing.T) {
	s, err := Parse(valid())
	if err != nil {
		t.Fatal(err)
	}
	if got := FromMap(s.ToMap()); got != s {
		t.Errorf("round trip: %+v != %+v", got, s)
	}
	if len(s.Follow()) != 1 || s.Follow()[0].Key != "youtube" || len(s.Channels()) != 0 {
		t.Errorf("links: %+v %+v", s.Follow(), s.Channels())
	}
}

func TestParseRefusesBadValues(t *testing.T) {
	cases := map[string]string{
		"site_name":   "",
		"lang":        "fr",
		"time_zone":   "Mars/Olympus",
		"month_style": "klingon",
		"digits":      "roman",
		"youtube":     "javascript:alert(1)",
		"telegram":    "http://t.me/x",
		"x":           strings.Repeat("a", 400),
	}
	for key, val := range cases {
		m := valid()
		m[key] = val
		_, err := Parse(m)
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: %v", key, val[:min(len(val), 20)], err)
		}
	}
}

func TestFromMapFallsBack(t *testing.T) {
	s := FromMap(map[string]string{"time_zone": "Nowhere/Land", "month_style": "bad", "digits": "arabic", "site_name": "", "lang": "xx"})
	if s.TimeZone != "Asia/Beirut" || s.Language != "" || s.MonthStyle != locale.MonthsLevant || s.Digits != locale.DigitsArabic || s.SiteName != "خبر" {
		t.Errorf("fallbacks: %+v", s)
	}
	if f := s.DateFormat(); f.Location == nil || f.Location.String() != "Asia/Beirut" {
		t.Errorf("date format: %+v", f)
	}
}

// TestLiveDrivesTheCatalog: the catalogue speaks the server's language
// until the settings name one, then follows every change.
func TestLiveDrivesTheCatalog(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	live, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	cat := locale.For("ar")
	live.Drive(cat, "en")
	if cat.Lang() != "en" || cat.Dir() != "ltr" {
		t.Fatalf("with no language set: %s %s, want the server's en", cat.Lang(), cat.Dir())
	}
	for _, lang := range []string{"ar", "en", "ar"} {
		if err := s.SaveSettings(ctx, map[string]string{"lang": lang}); err != nil {
			t.Fatal(err)
		}
		if err := live.HandleEvent(ctx, news.Event{Kind: news.EventSettingsChanged}); err != nil {
			t.Fatal(err)
		}
		if cat.Lang() != lang || cat.T("admin_login") != locale.For(lang).T("admin_login") {
			t.Fatalf("after setting %s: the catalogue speaks %s (%q)", lang, cat.Lang(), cat.T("admin_login"))
		}
	}
}
