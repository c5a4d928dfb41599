package settings

import (
	"strings"
	"testing"

	"khabar/internal/locale"
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
	s := FromMap(map[string]string{"time_zone": "Nowhere/Land", "month_style": "bad", "digits": "arabic", "site_name": ""})
	if s.TimeZone != "Asia/Beirut" || s.MonthStyle != locale.MonthsLevant || s.Digits != locale.DigitsArabic || s.SiteName != "خبر" {
		t.Errorf("fallbacks: %+v", s)
	}
	if f := s.DateFormat(); f.Location == nil || f.Location.String() != "Asia/Beirut" {
		t.Errorf("date format: %+v", f)
	}
}
