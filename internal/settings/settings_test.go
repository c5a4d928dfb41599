package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

func valid() map[string]string {
	m := Defaults().ToMap()
	m["youtube"] = "https://www.youtube.com/@outlet"
	m["theme_color"], m["logo_media"] = "#1a7f3c", "7"
	m["two_factor_required"] = "on"
	return m
}

func TestRoundTrip(t *testing.T) {
	s, err := Parse(valid())
	if err != nil {
		t.Fatal(err)
	}
	if got := FromMap(s.ToMap()); got != s || s.ThemeColor != "#1a7f3c" || s.LogoMedia != 7 || !s.TwoFactorRequired {
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

// TestThemeAndLogoFields: the theme colour and the logo's id take what a
// colour picker and a number field send, and refuse anything else with
// the field's own error.
func TestThemeAndLogoFields(t *testing.T) {
	cases := []struct {
		key, val string
		code     string // the field's error; "" accepted
		colour   string // ThemeColor when accepted
		logo     int64  // LogoMedia when accepted
	}{
		{"theme_color", "#0b4f9c", "", "#0b4f9c", 7},
		{"theme_color", "#0B4F9C", "", "#0b4f9c", 7},
		{"theme_color", "", "", "#8c1c13", 7}, // a form from before the field
		{"theme_color", "#fff", "bad_colour", "", 0},
		{"theme_color", "red", "bad_colour", "", 0},
		{"theme_color", "#12345g", "bad_colour", "", 0},
		{"theme_color", "#1234567", "bad_colour", "", 0},
		{"theme_color", "8c1c13", "bad_colour", "", 0},
		{"theme_color", "#8c1c13;background:url(x)", "bad_colour", "", 0},
		{"theme_color", "\"><script>alert(1)</script>", "bad_colour", "", 0},
		{"theme_color", "#８c1c13", "bad_colour", "", 0}, // a full-width digit
		{"logo_media", "", "", "#1a7f3c", 0},
		{"logo_media", "0", "", "#1a7f3c", 0},
		{"logo_media", " 42 ", "", "#1a7f3c", 42},
		{"logo_media", "-3", "bad_logo", "", 0},
		{"logo_media", "00", "bad_logo", "", 0},
		{"logo_media", "4.2", "bad_logo", "", 0},
		{"logo_media", "1e3", "bad_logo", "", 0},
		{"logo_media", "0x2a", "bad_logo", "", 0},
		{"logo_media", "٤٢", "bad_logo", "", 0},
		{"logo_media", "99999999999999999999", "bad_logo", "", 0},
		{"logo_media", "42 OR 1=1", "bad_logo", "", 0},
	}
	for _, c := range cases {
		m := valid()
		m[c.key] = c.val
		s, err := Parse(m)
		var ie *news.InvalidError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s=%q: %v", c.key, c.val, err)
		case c.code == "" && (s.ThemeColor != c.colour || s.LogoMedia != c.logo):
			t.Errorf("%s=%q: got %q and %d", c.key, c.val, s.ThemeColor, s.LogoMedia)
		case c.code != "" && (!errors.As(err, &ie) || ie.Fields[c.key] != c.code || len(ie.Fields) != 1):
			t.Errorf("%s=%q: got %v, want %s on that field alone", c.key, c.val, err, c.code)
		}
	}
	if s := FromMap(map[string]string{"theme_color": "javascript:x", "logo_media": "-1"}); s.ThemeColor != "#8c1c13" || s.LogoMedia != 0 {
		t.Errorf("bad stored values: %q %d", s.ThemeColor, s.LogoMedia)
	}
}

func TestCheckLogo(t *testing.T) {
	library := map[int64]*news.Media{
		1: {ID: 1, MIME: "image/png", Width: 1024, Height: 1024},
		2: {ID: 2, MIME: "image/svg+xml", Width: 1200, Height: 1200},
		3: {ID: 3, MIME: "image/jpeg", Width: 400, Height: 400},
		4: {ID: 4, MIME: "image/png", Width: 2400, Height: 600},
	}
	broken := errors.New("connection reset")
	lookup := func(_ context.Context, id int64) (*news.Media, error) {
		if id == 5 {
			return nil, broken
		}
		if m := library[id]; m != nil {
			return m, nil
		}
		return nil, fmt.Errorf("media %d: %w", id, news.ErrNotFound)
	}
	cases := []struct {
		id   int64
		code string // "" accepted
	}{
		{0, ""},
		{1, ""},
		{2, "logo_not_raster"},
		{3, "logo_too_small"},
		{4, "logo_not_square"},
		{424242, "logo_missing"},
	}
	for _, c := range cases {
		err := Settings{LogoMedia: c.id}.CheckLogo(context.Background(), lookup)
		var ie *news.InvalidError
		if c.code == "" && err != nil || c.code != "" && (!errors.As(err, &ie) || ie.Fields["logo_media"] != c.code) {
			t.Errorf("media %d: got %v, want %q", c.id, err, c.code)
		}
	}
	if err := (Settings{LogoMedia: 5}).CheckLogo(context.Background(), lookup); !errors.Is(err, broken) || news.IsInvalid(err) {
		t.Errorf("a store failure: %v, want it passed on as the server's", err)
	}
}
