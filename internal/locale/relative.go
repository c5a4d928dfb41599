package locale

import "time"

// Ago writes how long ago something happened, with the language's plural
// forms («منذ دقيقة»، «منذ دقيقتين»، «منذ ٣ دقائق»، «منذ ١١ دقيقة»); ""
// past a week, where a date says more.
func (c *Catalog) Ago(d time.Duration, digits Digits) string {
	switch {
	case d < time.Minute:
		return c.T("ago_now")
	case d < time.Hour:
		return c.N("ago_minutes", int(d/time.Minute), digits)
	case d < 24*time.Hour:
		return c.N("ago_hours", int(d/time.Hour), digits)
	case d < 7*24*time.Hour:
		return c.N("ago_days", int(d/(24*time.Hour)), digits)
	}
	return ""
}
