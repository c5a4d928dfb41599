package news

import (
	"strings"
	"unicode"
)

const maxSlugRunes = 80

// Slugify turns a headline or an editor's slug into a URL path segment.
// Arabic letters are kept (browsers show them; percent-encoding happens on
// the wire), tashkeel and tatweel are dropped because nobody types them in
// a URL, Latin is lower-cased, and everything else becomes a single dash.
func Slugify(s string) string {
	var sb strings.Builder
	dash := false
	n := 0
	for _, r := range s {
		if n >= maxSlugRunes {
			break
		}
		switch {
		case r == 'ـ' || unicode.Is(unicode.Mn, r):
			continue
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
				n++
			}
			dash = false
			sb.WriteRune(unicode.ToLower(r))
			n++
			continue
		}
		dash = true
	}
	return sb.String()
}

// editedSlug is the slug an editor typed made fit for a URL, or the
// name's when nothing was typed; "" when what was typed has no letter or
// digit, which the form reports rather than silently replacing.
func editedSlug(typed, name string) string {
	if typed = CleanLine(typed); typed == "" {
		return Slugify(name)
	}
	return Slugify(typed)
}
