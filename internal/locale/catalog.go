package locale

import (
	"fmt"
	"sort"
)

// Catalog holds the interface strings of one language.
type Catalog struct {
	lang    string
	dir     string
	strings map[string]string
}

// For returns the catalogue of lang ("ar" or "en"); anything else gets
// Arabic, the reference language.
func For(lang string) *Catalog {
	if lang == "en" {
		return &Catalog{lang: "en", dir: "ltr", strings: english}
	}
	return &Catalog{lang: "ar", dir: "rtl", strings: arabic}
}

// Lang is the BCP 47 code for the html lang attribute.
func (c *Catalog) Lang() string { return c.lang }

// Dir is "rtl" or "ltr".
func (c *Catalog) Dir() string { return c.dir }

// T returns the string for key, formatted with args when given. A missing
// key shows itself, which the catalogue test makes impossible in practice.
func (c *Catalog) T(key string, args ...any) string {
	s, ok := c.strings[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key exists, for checks such as error codes.
func (c *Catalog) Has(key string) bool {
	_, ok := c.strings[key]
	return ok
}

// Keys lists every key, sorted; the tests compare languages with it.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.strings))
	for k := range c.strings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
