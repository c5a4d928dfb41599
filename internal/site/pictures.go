package site

import (
	"khabar/internal/media"
	"khabar/internal/news"
)

// picture is an image as the page shows it. With sizes, WebP ones go in a
// <source> and the fallback format's in the <img>'s srcset; without (a
// vector drawing, an animated GIF, an upload whose sizes are not made yet)
// the original alone. Width and height are always the original's, so the
// page keeps the image's place while it loads.
type picture struct {
	Src, Srcset, WebP string
	Sizes             string
	Width, Height     int
	Alt               string
	Eager             bool // the page's main image: fetched at once, first
}

// slot is where an image appears: how wide it is drawn (from site.css: the
// article column is at most 42rem, the home lead about three fifths of
// 72rem, cards at least 15rem in a grid) and whether it is the main one.
type slot struct {
	sizes string
	eager bool
}

var slots = map[string]slot{
	"body":     {"(min-width: 44rem) 42rem, calc(100vw - 2rem)", false},
	"featured": {"(min-width: 44rem) 42rem, calc(100vw - 2rem)", true},
	"lead":     {"(min-width: 74rem) 43rem, (min-width: 48rem) 58vw, calc(100vw - 2rem)", true},
	"card":     {"(min-width: 48rem) 18rem, calc(100vw - 2rem)", false},
	"portrait": {"8rem", true},
}

func mediaURL(key string) string { return "/media/" + key }

// newPicture is the template function picture: m shown in the named slot.
func newPicture(m *news.Media, alt, where string) picture {
	s := slots[where]
	p := picture{Src: mediaURL(m.Path), Width: m.Width, Height: m.Height, Alt: alt, Eager: s.eager}
	if m.Frames > 1 || len(m.Sizes) == 0 {
		return p // stills of an animation would stop it
	}
	vs := make([]media.Variant, len(m.Sizes))
	for i, z := range m.Sizes {
		vs[i] = media.Variant{Key: z.Path, Width: z.Width, Height: z.Height, Format: media.Format(z.Format)}
	}
	for _, src := range media.Sources(vs, mediaURL) {
		if src.Format == media.WebP {
			p.WebP = src.Srcset
		} else {
			p.Src, p.Srcset = src.Src, src.Srcset
		}
	}
	p.Sizes = s.sizes
	return p
}
