package newsroom

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"khabar/internal/locale"
)

// TestReadWhen: the day, month, year and time fields as posted, hostile
// ones included; the older datetime-local value still reads.
func TestReadWhen(t *testing.T) {
	beirut, err := time.LoadLocation("Asia/Beirut")
	if err != nil {
		t.Fatal(err)
	}
	parts := func(d, m, y, clock string) url.Values {
		return url.Values{"at_day": {d}, "at_month": {m}, "at_year": {y}, "at_time": {clock}}
	}
	want := time.Date(2027, time.March, 9, 14, 5, 0, 0, beirut)
	cases := []struct {
		name string
		form url.Values
		st   whenState
		at   time.Time
	}{
		{"nothing", url.Values{}, whenAbsent, time.Time{}},
		{"blank parts", parts("", "", "", "  "), whenAbsent, time.Time{}},
		{"latin digits", parts("9", "3", "2027", "14:05"), whenValid, want},
		{"arabic-indic time", parts("9", "3", "2027", "١٤:٠٥"), whenValid, want},
		{"persian time", parts("9", "3", "2027", "۱۴:۰۵"), whenValid, want},
		{"one-digit hour", parts("9", "3", "2027", "9:05"), whenValid, time.Date(2027, time.March, 9, 9, 5, 0, 0, beirut)},
		{"spaces around the time", parts("9", "3", "2027", " 14:05 "), whenValid, want},
		{"datetime-local", url.Values{"at": {"2027-03-09T14:05"}}, whenValid, want},
		{"datetime-local with seconds", url.Values{"at": {"2027-03-09T14:05:00"}}, whenValid, want},
		{"31 April", parts("31", "4", "2027", "10:00"), whenInvalid, time.Time{}},
		{"29 February, not a leap year", parts("29", "2", "2027", "10:00"), whenInvalid, time.Time{}},
		{"29 February, a leap year", parts("29", "2", "2028", "10:00"), whenValid, time.Date(2028, time.February, 29, 10, 0, 0, 0, beirut)},
		{"month 13", parts("1", "13", "2027", "10:00"), whenInvalid, time.Time{}},
		{"day 0", parts("0", "1", "2027", "10:00"), whenInvalid, time.Time{}},
		{"negative day", parts("-1", "1", "2027", "10:00"), whenInvalid, time.Time{}},
		{"plus sign", parts("+1", "1", "2027", "10:00"), whenInvalid, time.Time{}},
		{"year 99999", parts("1", "1", "99999", "10:00"), whenInvalid, time.Time{}},
		{"year 0", parts("1", "1", "0", "10:00"), whenInvalid, time.Time{}},
		{"hour 24", parts("1", "1", "2027", "24:00"), whenInvalid, time.Time{}},
		{"minute 60", parts("1", "1", "2027", "10:60"), whenInvalid, time.Time{}},
		{"no colon", parts("1", "1", "2027", "1000"), whenInvalid, time.Time{}},
		{"seconds", parts("1", "1", "2027", "10:00:00"), whenInvalid, time.Time{}},
		{"letters", parts("x", "y", "z", "ab:cd"), whenInvalid, time.Time{}},
		{"script", parts("1", "1", "2027", "<script>"), whenInvalid, time.Time{}},
		{"missing time", parts("1", "1", "2027", ""), whenInvalid, time.Time{}},
		{"missing day", parts("", "1", "2027", "10:00"), whenInvalid, time.Time{}},
		{"huge", parts(strings.Repeat("9", 10000), "1", "2027", "10:00"), whenInvalid, time.Time{}},
		{"bad datetime-local", url.Values{"at": {"03/09/2027 2:05 PM"}}, whenInvalid, time.Time{}},
	}
	for _, c := range cases {
		at, st := readWhen(c.form, "at", beirut)
		if st != c.st || !at.Equal(c.at) {
			t.Errorf("%s: %v %v, want %v %v", c.name, at, st, c.at, c.st)
		}
	}
}

// TestNewWhen: the fields show a time in the outlet's zone, month names
// and digits, and offer the years a plan may reach.
func TestNewWhen(t *testing.T) {
	beirut, err := time.LoadLocation("Asia/Beirut")
	if err != nil {
		t.Fatal(err)
	}
	f := locale.DateFormat{Months: locale.MonthsLevant, Digits: locale.DigitsArabic, Location: beirut}
	now := time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC) // already 2027 in Beirut
	w := newWhen("publish_at", "field_publish_at", time.Date(2027, time.January, 2, 6, 7, 0, 0, time.UTC), f, now)
	if w.Day != 2 || w.Month != 1 || w.Year != 2027 || w.Clock != "٠٨:٠٧" {
		t.Errorf("shown as %d/%d/%d %s, want 2/1/2027 ٠٨:٠٧ (Beirut, Arabic-Indic digits)", w.Day, w.Month, w.Year, w.Clock)
	}
	if w.Months[0] != "كانون الثاني" || len(w.Months) != 12 || len(w.Days) != 31 {
		t.Errorf("months %v, %d days", w.Months, len(w.Days))
	}
	if w.Years[0] != 2027 || len(w.Years) != whenYears {
		t.Errorf("years %v", w.Years)
	}
	if empty := newWhen("at", "x", time.Time{}, f, now); empty.Day != 0 || empty.Clock != "" {
		t.Errorf("nothing chosen shows %+v", empty)
	}
}
