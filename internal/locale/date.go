package locale

import (
	"strconv"
	"time"

	// Embed the IANA time zone database so time.LoadLocation("Asia/Beirut")
	// and friends work on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// MonthStyle is how an outlet names Gregorian months.
//
// The zero value and any unknown value are formatted as MonthsLevant; use
// Valid to reject unknown values when reading configuration.
type MonthStyle string

// Month naming styles.
const (
	MonthsLevant  MonthStyle = "levant"  // كانون الثاني، شباط، آذار، نيسان، أيار، حزيران، تموز، آب، أيلول، تشرين الأول، تشرين الثاني، كانون الأول
	MonthsEgypt   MonthStyle = "egypt"   // Egypt and the Gulf: يناير، فبراير، مارس، أبريل، مايو، يونيو، يوليو، أغسطس، سبتمبر، أكتوبر، نوفمبر، ديسمبر
	MonthsMorocco MonthStyle = "morocco" // يناير، فبراير، مارس، أبريل، ماي، يونيو، يوليوز، غشت، شتنبر، أكتوبر، نونبر، دجنبر
	MonthsAlgeria MonthStyle = "algeria" // Algeria and Tunisia: جانفي، فيفري، مارس، أفريل، ماي، جوان، جويلية، أوت، سبتمبر، أكتوبر، نوفمبر، ديسمبر
	MonthsDual    MonthStyle = "dual"    // Levantine then Egyptian: «كانون الأول/ديسمبر», used by pan-Arab outlets
	MonthsEnglish MonthStyle = "english" // January … December, for an LTR English outlet
)

var monthStyles = [...]MonthStyle{
	MonthsLevant,
	MonthsEgypt,
	MonthsMorocco,
	MonthsAlgeria,
	MonthsDual,
	MonthsEnglish,
}

var (
	monthsLevant = [12]string{
		"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
		"تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
	}
	monthsEgypt = [12]string{
		"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
		"يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
	}
	monthsMorocco = [12]string{
		"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
		"يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
	}
	monthsAlgeria = [12]string{
		"جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان",
		"جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
	}
	monthsEnglish = [12]string{
		"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December",
	}
	monthsDual = func() (d [12]string) {
		for i := range d {
			d[i] = monthsLevant[i] + "/" + monthsEgypt[i]
		}
		return d
	}()
)

// MonthStyles returns every month style, in declaration order.
func MonthStyles() []MonthStyle {
	out := make([]MonthStyle, len(monthStyles))
	copy(out, monthStyles[:])
	return out
}

// Valid reports whether s is one of the declared month styles. The empty
// string is not valid (although the formatters treat it as MonthsLevant).
func (s MonthStyle) Valid() bool {
	for _, v := range monthStyles {
		if s == v {
			return true
		}
	}
	return false
}

func (s MonthStyle) names() *[12]string {
	switch s {
	case MonthsEgypt:
		return &monthsEgypt
	case MonthsMorocco:
		return &monthsMorocco
	case MonthsAlgeria:
		return &monthsAlgeria
	case MonthsDual:
		return &monthsDual
	case MonthsEnglish:
		return &monthsEnglish
	default:
		return &monthsLevant
	}
}

// Month returns the name of m in style s. Unknown styles fall back to
// MonthsLevant; a month outside January..December yields "".
func (s MonthStyle) Month(m time.Month) string {
	if m < time.January || m > time.December {
		return ""
	}
	return s.names()[m-1]
}

// Digits is the digit set numbers are shown in.
//
// The zero value and any unknown value behave as DigitsLatin; use Valid to
// reject unknown values when reading configuration.
type Digits string

// Digit sets.
const (
	DigitsLatin  Digits = "latin"  // 0123456789
	DigitsArabic Digits = "arabic" // Arabic-Indic ٠١٢٣٤٥٦٧٨٩
)

// Valid reports whether d is one of the declared digit sets. The empty
// string is not valid (although the formatters treat it as DigitsLatin).
func (d Digits) Valid() bool {
	return d == DigitsLatin || d == DigitsArabic
}

// Arabic-Indic digit zero is U+0660, encoded in UTF-8 as D9 A0; digit n is
// D9 (A0+n).
const (
	arabicDigitLead = 0xD9
	arabicDigitBase = 0xA0
)

// Convert replaces every ASCII digit in s with the corresponding digit of d.
// For DigitsLatin (and unknown values), or when s has no ASCII digit, s is
// returned unchanged without allocating.
func (d Digits) Convert(s string) string {
	if d != DigitsArabic {
		return s
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+n) // each digit grows from 1 to 2 bytes
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			b = append(b, arabicDigitLead, arabicDigitBase+(c-'0'))
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// Int formats n in base 10 with digits d (strconv.Itoa then Convert).
func (d Digits) Int(n int) string {
	return d.Convert(strconv.Itoa(n))
}

// appendUint appends n, left-padded with zeros to at least width digits,
// using digit set d. n must be non-negative.
func (d Digits) appendUint(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	tmp[i] = byte('0' + n)
	for len(tmp)-i < width && i > 0 {
		i--
		tmp[i] = '0'
	}
	if d != DigitsArabic {
		return append(b, tmp[i:]...)
	}
	for _, c := range tmp[i:] {
		b = append(b, arabicDigitLead, arabicDigitBase+(c-'0'))
	}
	return b
}

// DateFormat bundles an outlet's choices for showing dates and times.
// The zero value means Levantine month names, Latin digits and UTC.
type DateFormat struct {
	Months   MonthStyle
	Digits   Digits
	Location *time.Location // nil means UTC
	Hijri    bool           // also show the Umm al-Qura date where pages offer it
}

// dateBufSize comfortably holds the longest DateTime output (dual month
// names with Arabic-Indic digits are under 80 bytes), so formatting stays
// on the stack until the final string conversion.
const dateBufSize = 96

func (f DateFormat) in(t time.Time) time.Time {
	if f.Location == nil {
		return t.UTC()
	}
	return t.In(f.Location)
}

// appendDate appends "29 تشرين الثاني 2026" for t (already in f.Location).
func (f DateFormat) appendDate(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	b = f.Digits.appendUint(b, day, 1)
	b = append(b, ' ')
	b = append(b, f.Months.Month(month)...)
	b = append(b, ' ')
	if year < 0 {
		b = append(b, '-')
		year = -year
	}
	return f.Digits.appendUint(b, year, 4)
}

// appendClock appends "14:05" for t (already in f.Location).
func (f DateFormat) appendClock(b []byte, t time.Time) []byte {
	hour, minute, _ := t.Clock()
	b = f.Digits.appendUint(b, hour, 2)
	b = append(b, ':')
	return f.Digits.appendUint(b, minute, 2)
}

// Date formats t as day (no leading zero), month name and four-digit year,
// e.g. "29 تشرين الثاني 2026", in f.Location with f.Digits.
func (f DateFormat) Date(t time.Time) string {
	var buf [dateBufSize]byte
	return string(f.appendDate(buf[:0], f.in(t)))
}

// Time formats t as a 24-hour "14:05" in f.Location with f.Digits.
func (f DateFormat) Time(t time.Time) string {
	var buf [16]byte
	return string(f.appendClock(buf[:0], f.in(t)))
}

// DateTime formats t as Date, a separator and Time: "29 تشرين الثاني 2026، 14:05"
// for Arabic styles (Arabic comma) and "29 November 2026, 14:05" for
// MonthsEnglish.
func (f DateFormat) DateTime(t time.Time) string {
	var buf [dateBufSize]byte
	t = f.in(t)
	b := f.appendDate(buf[:0], t)
	if f.Months == MonthsEnglish {
		b = append(b, ", "...)
	} else {
		b = append(b, "، "...)
	}
	return string(f.appendClock(b, t))
}

// ISO formats t as RFC 3339 in f.Location, e.g. "2026-11-29T14:05:00+02:00",
// for <time datetime> attributes and JSON-LD. It always uses Latin digits;
// in UTC the offset is written "Z".
func (f DateFormat) ISO(t time.Time) string {
	var buf [40]byte
	return string(f.in(t).AppendFormat(buf[:0], time.RFC3339))
}
