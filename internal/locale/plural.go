package locale

import (
	"fmt"
	"strings"
)

// PluralCategory is the CLDR plural category of n in lang. Arabic has all
// six: zero, one, two, few (3–10), many (11–99) and other (100, 101, 102…);
// English has one and other.
func PluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	if lang != "ar" {
		if n == 1 {
			return "one"
		}
		return "other"
	}
	switch m := n % 100; {
	case n == 0:
		return "zero"
	case n == 1:
		return "one"
	case n == 2:
		return "two"
	case m >= 3 && m <= 10:
		return "few"
	case m >= 11 && m <= 99:
		return "many"
	}
	return "other"
}

// N returns the plural form of key for n ("key_few", …), formatted with n
// in the given digits; a missing category falls back to "key_other".
func (c *Catalog) N(key string, n int, d Digits) string {
	k := key + "_" + PluralCategory(c.lang, n)
	if !c.Has(k) {
		k = key + "_other"
	}
	s := c.T(k)
	if !strings.Contains(s, "%") { // "one" and "two" forms carry no number
		return s
	}
	return fmt.Sprintf(s, d.Int(n))
}
