package locale

import (
	"slices"
	"testing"
	"time"
)

func dateTestLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestMonthStylesOrder(t *testing.T) {
	want := []MonthStyle{MonthsLevant, MonthsEgypt, MonthsMorocco, MonthsAlgeria, MonthsDual, MonthsEnglish}
	got := MonthStyles()
	if !slices.Equal(got, want) {
		t.Fatalf("MonthStyles() = %v, want %v", got, want)
	}
	got[0] = "mutated"
	if MonthStyles()[0] != MonthsLevant {
		t.Fatal("MonthStyles returns a shared slice")
	}
}

func TestMonthAllTwelve(t *testing.T) {
	all := map[MonthStyle][12]string{
		MonthsLevant: {
			"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
			"تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
		},
		MonthsEgypt: {
			"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
			"يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
		},
		MonthsMorocco: {
			"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
			"يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
		},
		MonthsAlgeria: {
			"جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان",
			"جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
		},
		MonthsDual: {
			"كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل",
			"أيار/مايو", "حزيران/يونيو", "تموز/يوليو", "آب/أغسطس",
			"أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر", "كانون الأول/ديسمبر",
		},
		MonthsEnglish: {
			"January", "February", "March", "April", "May", "June",
			"July", "August", "September", "October", "November", "December",
		},
	}
	for _, s := range MonthStyles() {
		names, ok := all[s]
		if !ok {
			t.Errorf("no expectations for style %q", s)
			continue
		}
		for i, want := range names {
			m := time.Month(i + 1)
			if got := s.Month(m); got != want {
				t.Errorf("%s.Month(%v) = %q, want %q", s, m, got, want)
			}
		}
	}
}

func TestMonthDecember(t *testing.T) {
	tests := []struct {
		style MonthStyle
		want  string
	}{
		{MonthsLevant, "كانون الأول"},
		{MonthsEgypt, "ديسمبر"},
		{MonthsMorocco, "دجنبر"},
		{MonthsAlgeria, "ديسمبر"},
		{MonthsDual, "كانون الأول/ديسمبر"},
		{MonthsEnglish, "December"},
		{"", "كانون الأول"},        // zero value: Levant
		{"klingon", "كانون الأول"}, // unknown: Levant
	}
	for _, tt := range tests {
		if got := tt.style.Month(time.December); got != tt.want {
			t.Errorf("%q.Month(December) = %q, want %q", tt.style, got, tt.want)
		}
	}
	if got := MonthsAlgeria.Month(time.January); got != "جانفي" {
		t.Errorf("algeria January = %q, want %q", got, "جانفي")
	}
}

func TestMonthOutOfRange(t *testing.T) {
	for _, m := range []time.Month{0, 13, -1} {
		if got := MonthsLevant.Month(m); got != "" {
			t.Errorf("Month(%d) = %q, want empty", int(m), got)
		}
	}
}

func TestValid(t *testing.T) {
	for _, s := range MonthStyles() {
		if !s.Valid() {
			t.Errorf("MonthStyle(%q).Valid() = false", s)
		}
	}
	for _, s := range []MonthStyle{"", "Levant", "gulf", "levant ", "tunisia"} {
		if s.Valid() {
			t.Errorf("MonthStyle(%q).Valid() = true", s)
		}
	}
	for _, d := range []Digits{DigitsLatin, DigitsArabic} {
		if !d.Valid() {
			t.Errorf("Digits(%q).Valid() = false", d)
		}
	}
	for _, d := range []Digits{"", "Arabic", "persian", "hindi", "latn"} {
		if d.Valid() {
			t.Errorf("Digits(%q).Valid() = true", d)
		}
	}
}

func TestDigits(t *testing.T) {
	tests := []struct {
		d    Digits
		in   string
		want string
	}{
		{DigitsArabic, "2026", "٢٠٢٦"},
		{DigitsArabic, "0123456789", "٠١٢٣٤٥٦٧٨٩"},
		{DigitsArabic, "العدد 42 من 7", "العدد ٤٢ من ٧"},
		{DigitsArabic, "بلا أرقام", "بلا أرقام"},
		{DigitsArabic, "", ""},
		{DigitsArabic, "٣ already", "٣ already"},
		{DigitsLatin, "2026", "2026"},
		{"", "2026", "2026"},
	}
	for _, tt := range tests {
		if got := tt.d.Convert(tt.in); got != tt.want {
			t.Errorf("%q.Convert(%q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}

	ints := []struct {
		d    Digits
		n    int
		want string
	}{
		{DigitsArabic, 2026, "٢٠٢٦"},
		{DigitsArabic, 0, "٠"},
		{DigitsArabic, -15, "-١٥"},
		{DigitsLatin, 2026, "2026"},
		{DigitsLatin, -15, "-15"},
	}
	for _, tt := range ints {
		if got := tt.d.Int(tt.n); got != tt.want {
			t.Errorf("%q.Int(%d) = %q, want %q", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestConvertLatinNoAlloc(t *testing.T) {
	s := "29 November 2026"
	if n := testing.AllocsPerRun(100, func() { _ = DigitsLatin.Convert(s) }); n != 0 {
		t.Errorf("DigitsLatin.Convert allocates %v times, want 0", n)
	}
	plain := "بلا أرقام"
	if n := testing.AllocsPerRun(100, func() { _ = DigitsArabic.Convert(plain) }); n != 0 {
		t.Errorf("DigitsArabic.Convert without digits allocates %v times, want 0", n)
	}
}

func TestDateFormat(t *testing.T) {
	beirut := dateTestLoad(t, "Asia/Beirut")
	casablanca := dateTestLoad(t, "Africa/Casablanca")
	// 12:05 UTC: 14:05 in Beirut (EET, +02:00), 13:05 in Casablanca (+01:00).
	nov := time.Date(2026, time.November, 29, 12, 5, 0, 0, time.UTC)
	// 23:30 UTC on 31 December: already 1 January in Beirut.
	nye := time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC)
	early := time.Date(2026, time.March, 3, 7, 9, 0, 0, time.UTC)

	tests := []struct {
		name        string
		f           DateFormat
		t           time.Time
		date, clock string
		dateTime    string
		iso         string
	}{
		{
			name: "zero value", f: DateFormat{}, t: nov,
			date: "29 تشرين الثاني 2026", clock: "12:05",
			dateTime: "29 تشرين الثاني 2026، 12:05",
			iso:      "2026-11-29T12:05:00Z",
		},
		{
			name: "levant beirut", f: DateFormat{Months: MonthsLevant, Digits: DigitsLatin, Location: beirut}, t: nov,
			date: "29 تشرين الثاني 2026", clock: "14:05",
			dateTime: "29 تشرين الثاني 2026، 14:05",
			iso:      "2026-11-29T14:05:00+02:00",
		},
		{
			name: "levant beirut arabic digits", f: DateFormat{Digits: DigitsArabic, Location: beirut}, t: nov,
			date: "٢٩ تشرين الثاني ٢٠٢٦", clock: "١٤:٠٥",
			dateTime: "٢٩ تشرين الثاني ٢٠٢٦، ١٤:٠٥",
			iso:      "2026-11-29T14:05:00+02:00",
		},
		{
			name: "morocco casablanca", f: DateFormat{Months: MonthsMorocco, Location: casablanca}, t: nov,
			date: "29 نونبر 2026", clock: "13:05",
			dateTime: "29 نونبر 2026، 13:05",
			iso:      "2026-11-29T13:05:00+01:00",
		},
		{
			name: "dual new year in beirut", f: DateFormat{Months: MonthsDual, Location: beirut}, t: nye,
			date: "1 كانون الثاني/يناير 2027", clock: "01:30",
			dateTime: "1 كانون الثاني/يناير 2027، 01:30",
			iso:      "2027-01-01T01:30:00+02:00",
		},
		{
			name: "algeria utc", f: DateFormat{Months: MonthsAlgeria}, t: nye,
			date: "31 ديسمبر 2026", clock: "23:30",
			dateTime: "31 ديسمبر 2026، 23:30",
			iso:      "2026-12-31T23:30:00Z",
		},
		{
			name: "egypt leading zeros", f: DateFormat{Months: MonthsEgypt, Digits: DigitsArabic}, t: early,
			date: "٣ مارس ٢٠٢٦", clock: "٠٧:٠٩",
			dateTime: "٣ مارس ٢٠٢٦، ٠٧:٠٩",
			iso:      "2026-03-03T07:09:00Z",
		},
		{
			name: "english", f: DateFormat{Months: MonthsEnglish, Location: beirut}, t: nov,
			date: "29 November 2026", clock: "14:05",
			dateTime: "29 November 2026, 14:05",
			iso:      "2026-11-29T14:05:00+02:00",
		},
		{
			name: "input location ignored", f: DateFormat{Location: beirut}, t: nov.In(casablanca),
			date: "29 تشرين الثاني 2026", clock: "14:05",
			dateTime: "29 تشرين الثاني 2026، 14:05",
			iso:      "2026-11-29T14:05:00+02:00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Date(tt.t); got != tt.date {
				t.Errorf("Date = %q, want %q", got, tt.date)
			}
			if got := tt.f.Time(tt.t); got != tt.clock {
				t.Errorf("Time = %q, want %q", got, tt.clock)
			}
			if got := tt.f.DateTime(tt.t); got != tt.dateTime {
				t.Errorf("DateTime = %q, want %q", got, tt.dateTime)
			}
			if got := tt.f.ISO(tt.t); got != tt.iso {
				t.Errorf("ISO = %q, want %q", got, tt.iso)
			}
		})
	}
}

func TestDateSummerOffset(t *testing.T) {
	beirut := dateTestLoad(t, "Asia/Beirut")
	f := DateFormat{Location: beirut}
	jul := time.Date(2026, time.July, 4, 21, 0, 0, 0, time.UTC)
	if got, want := f.ISO(jul), "2026-07-05T00:00:00+03:00"; got != want {
		t.Errorf("ISO = %q, want %q", got, want)
	}
	if got, want := f.DateTime(jul), "5 تموز 2026، 00:00"; got != want {
		t.Errorf("DateTime = %q, want %q", got, want)
	}
}

func TestDateSmallYear(t *testing.T) {
	f := DateFormat{Months: MonthsEnglish}
	got := f.Date(time.Date(987, time.May, 6, 0, 0, 0, 0, time.UTC))
	if want := "6 May 0987"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
}

func TestDateAllocs(t *testing.T) {
	beirut := dateTestLoad(t, "Asia/Beirut")
	f := DateFormat{Months: MonthsDual, Digits: DigitsArabic, Location: beirut}
	tm := time.Date(2026, time.November, 29, 12, 5, 0, 0, time.UTC)
	for name, fn := range map[string]func(){
		"Date":     func() { _ = f.Date(tm) },
		"Time":     func() { _ = f.Time(tm) },
		"DateTime": func() { _ = f.DateTime(tm) },
	} {
		if n := testing.AllocsPerRun(100, fn); n > 1 {
			t.Errorf("%s allocates %v times, want at most 1", name, n)
		}
	}
}

func BenchmarkDate(b *testing.B) {
	beirut := dateTestLoad(b, "Asia/Beirut")
	tm := time.Date(2026, time.November, 29, 12, 5, 0, 0, time.UTC)
	formats := map[string]DateFormat{
		"levant-latin": {Location: beirut},
		"dual-arabic":  {Months: MonthsDual, Digits: DigitsArabic, Location: beirut},
		"english":      {Months: MonthsEnglish, Location: beirut},
	}
	for name, f := range formats {
		b.Run(name+"/Date", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f.Date(tm)
			}
		})
		b.Run(name+"/DateTime", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f.DateTime(tm)
			}
		})
	}
}
