package media

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Source is what one format contributes to a <picture>: a srcset of its
// variants, and the largest one as the <img> fallback with the width and
// height that reserve its space before it loads.
type Source struct {
	Format Format
	Srcset string // "URL 320w, URL 640w, …", narrowest first
	Src    string // URL of the widest variant
	Width  int    // of the widest variant
	Height int
}

// MIME is the type attribute of a <source>.
func (s Source) MIME() string { return s.Format.MIME() }

// Sources groups variant records by format, WebP first (a browser takes the
// first <source> whose type it knows, so the <img> gets the other format).
// url turns a key into its address, e.g. "/media/" + key; keys hold no
// characters that need escaping in a srcset. It is a pure function of its
// arguments, for templates.
func Sources(vs []Variant, url func(key string) string) []Source {
	byFormat := map[Format][]Variant{}
	for _, v := range vs {
		byFormat[v.Format] = append(byFormat[v.Format], v)
	}
	var out []Source
	for f, list := range byFormat {
		slices.SortFunc(list, func(a, b Variant) int { return cmp.Compare(a.Width, b.Width) })
		var sb strings.Builder
		for i, v := range list {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(url(v.Key) + " " + strconv.Itoa(v.Width) + "w")
		}
		big := list[len(list)-1]
		out = append(out, Source{Format: f, Srcset: sb.String(), Src: url(big.Key), Width: big.Width, Height: big.Height})
	}
	slices.SortFunc(out, func(a, b Source) int {
		if (a.Format == WebP) != (b.Format == WebP) {
			if a.Format == WebP {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Format, b.Format)
	})
	return out
}
