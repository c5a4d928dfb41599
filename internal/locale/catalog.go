package locale

import (
	"fmt"
	"sort"
	"sync/atomic"
)

// Catalog holds the interface strings of the outlet's language. Every
// surface shares one, and Switch changes the language of all of them at
// once when an admin changes it in the settings.
type Catalog struct {
	cur atomic.Pointer[tongue]
}

// tongue is one language's strings and writing direction.
type tongue struct {
	lang, dir string
	strings   map[string]string
}

var tongues = map[string]*tongue{
	"ar": {lang: "ar", dir: "rtl", strings: arabic},
	"en": {lang: "en", dir: "ltr", strings: english},
}

// Languages lists the languages with a complete catalogue, reference
// language first.
func Languages() []string { return []string{"ar", "en"} }

// Known reports whether lang has a catalogue.
func Known(lang string) bool { return tongues[lang] != nil }

// For returns a catalogue in lang ("ar" or "en"); anything else gets
// Arabic, the reference language.
func For(lang string) *Catalog {
	c := &Catalog{}
	c.Switch(lang)
	return c
}

// Switch changes the catalogue's language; an unknown one means Arabic.
func (c *Catalog) Switch(lang string) {
	t := tongues[lang]
	if t == nil {
		t = tongues["ar"]
	}
	c.cur.Store(t)
}

// Lang is the BCP 47 code for the html lang attribute.
func (c *Catalog) Lang() string { return c.cur.Load().lang }

// Dir is "rtl" or "ltr".
func (c *Catalog) Dir() string { return c.cur.Load().dir }

// T returns the string for key, formatted with args when given. A missing
// key shows itself, which the catalogue test makes impossible in practice.
func (c *Catalog) T(key string, args ...any) string {
	s, ok := c.cur.Load().strings[key]
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
	_, ok := c.cur.Load().strings[key]
	return ok
}

// Keys lists every key, sorted; the tests compare languages with it.
func (c *Catalog) Keys() []string {
	strs := c.cur.Load().strings
	out := make([]string, 0, len(strs))
	for k := range strs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
