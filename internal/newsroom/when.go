package newsroom

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/locale"
)

// when is a date-and-time field of the workflow's forms as the outlet
// writes dates: a day, a month by its name, a year and a 24-hour time,
// in the outlet's zone and digits (partials/when.html). Not the browser's
// own date control: that shows the browser's locale (mm/dd/yyyy, Latin
// digits, no Levantine month names) whatever the outlet writes, and
// differs from one browser to the next. Selects and a text field work
// without JavaScript in every browser.
type when struct {
	// Name prefixes the fields: Name_day, Name_month, Name_year, Name_time.
	Name string
	// Label is the catalogue key of the fieldset's legend.
	Label string
	// Required: the form is pointless without the time (a step's form).
	Required bool
	// Day, Month and Year are the chosen date, 0 when none is.
	Day, Month, Year int
	// Clock is the chosen time as "14:05", in the outlet's digits.
	Clock  string
	Days   []int
	Months []string // names, January first
	Years  []int
	Zone   string // time zone id
}

// whenYears is how many years a plan may reach ahead (news.Change
// refuses plans beyond five years; a little past the field's list).
const whenYears = 6

// newWhen is the field name (labelled by the catalogue key label) showing
// t, or nothing chosen when t is zero, in the outlet's date format.
func newWhen(name, label string, t time.Time, f locale.DateFormat, now time.Time) when {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	w := when{Name: name, Label: label, Zone: loc.String()}
	for d := 1; d <= 31; d++ {
		w.Days = append(w.Days, d)
	}
	for m := time.January; m <= time.December; m++ {
		w.Months = append(w.Months, f.Months.Month(m))
	}
	first := now.In(loc).Year()
	if !t.IsZero() {
		t = t.In(loc)
		w.Year, w.Day, w.Clock = t.Year(), t.Day(), f.Digits.Convert(t.Format("15:04"))
		w.Month = int(t.Month())
		first = min(first, w.Year)
	}
	for y := first; y < now.In(loc).Year()+whenYears; y++ {
		w.Years = append(w.Years, y)
	}
	return w
}

// keepTyped shows again what the form f posted for the field, when it is
// shown again after a refusal: a date refused (31 February) comes back as
// typed to be corrected, not emptied. Parts out of any range are left
// unchosen; the time is kept as typed, at most a short line.
func (w *when) keepTyped(f url.Values) {
	day, month, year, clock := f.Get(w.Name+"_day"), f.Get(w.Name+"_month"), f.Get(w.Name+"_year"), strings.TrimSpace(f.Get(w.Name+"_time"))
	if day == "" && month == "" && year == "" && clock == "" {
		return
	}
	w.Day, _ = whole(day, 1, 31)
	w.Month, _ = whole(month, 1, 12)
	w.Year, _ = whole(year, 1000, 9999)
	if len(clock) <= 16 {
		w.Clock = clock
	}
	if w.Year != 0 && !slices.Contains(w.Years, w.Year) {
		w.Years = append([]int{w.Year}, w.Years...)
	}
}

// whenState is what a form said about a when field.
type whenState int

const (
	whenAbsent whenState = iota // no part of it was filled in
	whenValid
	whenInvalid
)

// readWhen reads the when field name from f in loc. The fields are
// hostile like any input: each part must be a number in range (the time
// in Latin or Arabic-Indic digits, as the outlet's people type it), and
// the date must exist (no 31 April: time.Date would quietly make it
// 1 May). The older single datetime-local value (name itself) is still
// read, for forms and scripts made before.
func readWhen(f url.Values, name string, loc *time.Location) (time.Time, whenState) {
	if v := f.Get(name); v != "" {
		if t, ok := parseTime(v, loc); ok {
			return t, whenValid
		}
		return time.Time{}, whenInvalid
	}
	day, month, year, clock := f.Get(name+"_day"), f.Get(name+"_month"), f.Get(name+"_year"), f.Get(name+"_time")
	if day == "" && month == "" && year == "" && strings.TrimSpace(clock) == "" {
		return time.Time{}, whenAbsent
	}
	d, okD := whole(day, 1, 31)
	m, okM := whole(month, 1, 12)
	y, okY := whole(year, 1000, 9999)
	hh, mm, okC := readClock(clock)
	if !okD || !okM || !okY || !okC {
		return time.Time{}, whenInvalid
	}
	t := time.Date(y, time.Month(m), d, hh, mm, 0, 0, loc)
	if t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, whenInvalid
	}
	return t, whenValid
}

// whole reads a decimal number in [lo, hi] of at most four digits.
func whole(v string, lo, hi int) (int, bool) {
	if len(v) == 0 || len(v) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= lo && n <= hi && v[0] != '+' && v[0] != '-'
}

// readClock reads "14:05" (or "9:05"), in Latin, Arabic-Indic or
// Eastern Arabic-Indic (Persian) digits.
func readClock(v string) (hour, minute int, ok bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(v) {
		switch {
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		}
		b.WriteRune(r)
	}
	h, m, found := strings.Cut(b.String(), ":")
	if !found || len(h) > 2 || len(m) != 2 {
		return 0, 0, false
	}
	hour, okH := whole(h, 0, 23)
	minute, okM := whole(m, 0, 59)
	return hour, minute, okH && okM
}
