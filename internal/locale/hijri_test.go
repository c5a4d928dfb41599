package locale

import (
	"testing"
	"time"
)

func TestHijri(t *testing.T) {
	riyadh, _ := time.LoadLocation("Asia/Riyadh")
	cases := []struct {
		g       time.Time
		y, m, d int
	}{
		{time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC), 1445, 9, 1},  // 1 Ramadan 1445
		{time.Date(2024, 7, 7, 12, 0, 0, 0, time.UTC), 1446, 1, 1},   // 1 Muharram 1446
		{time.Date(2023, 4, 21, 12, 0, 0, 0, time.UTC), 1444, 10, 1}, // Eid al-Fitr 1444
		{time.Date(1937, 3, 14, 12, 0, 0, 0, time.UTC), 1356, 1, 1},  // the table's first day
	}
	for _, c := range cases {
		y, m, d, ok := Hijri(c.g, riyadh)
		if !ok || y != c.y || m != c.m || d != c.d {
			t.Errorf("Hijri(%s) = %d-%d-%d %v, want %d-%d-%d", c.g.Format("2006-01-02"), y, m, d, ok, c.y, c.m, c.d)
		}
	}
	if _, _, _, ok := Hijri(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), nil); ok {
		t.Error("1900 is before the table")
	}
	if _, _, _, ok := Hijri(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), nil); ok {
		t.Error("2100 is after the table")
	}
	f := DateFormat{Digits: DigitsArabic, Location: riyadh}
	if got := f.HijriDate(time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC)); got != "١ رمضان ١٤٤٥ هـ" {
		t.Errorf("HijriDate = %q", got)
	}
	// The calendar day is taken in the outlet's zone: 23:30 UTC on 10 March
	// is already 11 March (1 Ramadan) in Riyadh.
	if _, m, d, _ := Hijri(time.Date(2024, 3, 10, 23, 30, 0, 0, time.UTC), riyadh); m != 9 || d != 1 {
		t.Errorf("zone not applied: month %d day %d", m, d)
	}
}
