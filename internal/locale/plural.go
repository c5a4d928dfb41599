package locale

import (
	"fmt"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

var pluralNames = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two",
	plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// PluralCategory is the CLDR plural category of the whole number n in lang
// (golang.org/x/text carries the CLDR rules). Arabic has all six: zero,
// one, two, few (3–10), many (11–99) and other (100, 101, 102…); English
// has one and other.
func PluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	tag := language.Arabic
	if lang == "en" {
		tag = language.English
	}
	return pluralNames[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// N returns the plural form of key for n ("key_few", …), formatted with n
// in the given digits; a missing category falls back to "key_other".
func (c *Catalog) N(key string, n int, d Digits) string {
	k := key + "_" + PluralCategory(c.Lang(), n)
	if !c.Has(k) {
		k = key + "_other"
	}
	s := c.T(k)
	if !strings.Contains(s, "%") { // "one" and "two" forms carry no number
		return s
	}
	return fmt.Sprintf(s, d.Int(n))
}
