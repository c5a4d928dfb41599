package demo

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder images: the demo has no photographs, so every featured and
// in-body image is a small generated SVG — a gradient in the article's hue,
// a few soft abstract shapes and the caption written across the bottom.
// The file is standalone: no external fonts, images, links or scripts.

const (
	svgDefaultWidth  = 1200
	svgDefaultHeight = 675
	svgMaxCaption    = 60 // runes kept from the caption before "…"
	svgLineRunes     = 34 // runes per caption line before wrapping
	svgMaxLines      = 2
	svgFontStack     = `'Noto Naskh Arabic', 'Noto Sans Arabic', 'Geeza Pro', 'Segoe UI', Tahoma, 'DejaVu Sans', Arial, sans-serif`
)

// placeholderSVG draws a width×height placeholder in the given hue (any
// integer; it is taken modulo 360) with caption written right-to-left.
// Non-positive sizes fall back to 1200×675. The same arguments always give
// the same bytes.
func placeholderSVG(caption string, hue, width, height int) []byte {
	if width <= 0 {
		width = svgDefaultWidth
	}
	if height <= 0 {
		height = svgDefaultHeight
	}
	hue = ((hue % 360) + 360) % 360
	caption = svgCaption(caption)
	lines := svgWrap(caption)

	// A small deterministic generator places the shapes, so each caption
	// gets its own composition.
	f := fnv.New64a()
	f.Write([]byte(caption))
	state := f.Sum64() ^ uint64(hue)*0x9e3779b97f4a7c15 ^ uint64(width)<<32 ^ uint64(height)
	rnd := func(lo, hi int) int {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		if hi <= lo {
			return lo
		}
		return lo + int(state%uint64(hi-lo+1))
	}

	w, h := width, height
	short := min(w, h)
	hue2 := (hue + 35) % 360
	hue3 := (hue + 180) % 360

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="`, w, h, w, h)
	svgEscape(&b, caption)
	b.WriteString(`">`)
	b.WriteString(`<title>`)
	svgEscape(&b, caption)
	b.WriteString(`</title>`)

	b.WriteString(`<defs>`)
	fmt.Fprintf(&b, `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">`+
		`<stop offset="0" stop-color="hsl(%d, 58%%, 46%%)"/>`+
		`<stop offset="1" stop-color="hsl(%d, 62%%, 20%%)"/>`+
		`</linearGradient>`, hue, hue2)
	fmt.Fprintf(&b, `<radialGradient id="glow" cx="0.5" cy="0.5" r="0.5">`+
		`<stop offset="0" stop-color="hsl(%d, 80%%, 85%%)" stop-opacity="0.55"/>`+
		`<stop offset="1" stop-color="hsl(%d, 80%%, 85%%)" stop-opacity="0"/>`+
		`</radialGradient>`, hue, hue)
	b.WriteString(`</defs>`)

	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="url(#bg)"/>`, w, h)

	// Soft glow and circles.
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="url(#glow)"/>`,
		rnd(w/4, w*3/4), rnd(h/5, h/2), rnd(short/3, short*2/3))
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="hsl(%d, 70%%, 80%%)" fill-opacity="0.%02d"/>`,
			rnd(0, w), rnd(0, h*2/3), rnd(short/12, short/4), (hue+i*25)%360, rnd(8, 20))
	}
	// A ring in the complementary hue.
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="none" stroke="hsl(%d, 65%%, 70%%)" stroke-opacity="0.35" stroke-width="%d"/>`,
		rnd(w/8, w*7/8), rnd(h/8, h/2), rnd(short/10, short/5), hue3, max(2, short/90))
	// A tilted square.
	sq := rnd(short/8, short/4)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="hsl(%d, 60%%, 92%%)" fill-opacity="0.12" transform="rotate(%d %d %d)"/>`,
		rnd(0, w-sq), rnd(0, h/2), sq, sq, sq/8, hue2, rnd(10, 50), w/2, h/2)
	// Two layers of hills along the bottom.
	for layer := 0; layer < 2; layer++ {
		base := h*3/5 + layer*h/8
		fmt.Fprintf(&b, `<path d="M0 %d`, base)
		steps := 4
		for i := 1; i <= steps; i++ {
			x := w * i / steps
			fmt.Fprintf(&b, ` Q%d %d %d %d`, x-w/(2*steps), base-rnd(h/20, h/6), x, base+rnd(-h/30, h/30))
		}
		fmt.Fprintf(&b, ` L%d %d L0 %d Z" fill="hsl(%d, 55%%, %d%%)" fill-opacity="0.%d"/>`,
			w, h, h, hue2, 18-layer*6, 45+layer*20)
	}

	// The brand badge, top right.
	br := max(12, short/14)
	bx, by := w-br-short/24, br+short/24
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="#fff" fill-opacity="0.9"/>`, bx, by, br)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-family="%s" font-size="%d" font-weight="700" fill="hsl(%d, 60%%, 30%%)" direction="rtl" text-anchor="middle" dominant-baseline="central">خبر</text>`,
		bx, by, svgFontStack, br*4/5, hue)

	// The caption on a translucent band.
	if len(lines) > 0 {
		fs := max(10, min(w/26, h/11))
		lh := fs * 3 / 2
		band := lh*len(lines) + fs
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#000" fill-opacity="0.38"/>`, h-band, w, band)
		for i, line := range lines {
			y := h - band + fs/2 + lh*i + lh/2
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-family="%s" font-size="%d" fill="#fff" direction="rtl" text-anchor="middle" dominant-baseline="central">`,
				w/2, y, svgFontStack, fs)
			svgEscape(&b, line)
			b.WriteString(`</text>`)
		}
	}

	b.WriteString(`</svg>`)
	return b.Bytes()
}

// svgCaption makes a caption single-line, drops characters that are not
// printable and shortens it to svgMaxCaption runes, preferring a word
// boundary, with a trailing ellipsis.
func svgCaption(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return -1
		case unicode.IsSpace(r):
			return ' '
		case !unicode.IsGraphic(r) && r != '\u200c' && r != '\u200d' && r != '\u200f' && r != '\u200e':
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= svgMaxCaption {
		return s
	}
	r := []rune(s)[:svgMaxCaption]
	if i := svgLastSpace(r); i >= svgMaxCaption*2/3 {
		r = r[:i]
	}
	return strings.TrimRight(string(r), " ،,.؛:-–") + "…"
}

func svgLastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}

// svgWrap splits a caption into at most svgMaxLines lines of about
// svgLineRunes runes, breaking between words; an overlong last line ends
// in an ellipsis.
func svgWrap(s string) []string {
	if s == "" {
		return nil
	}
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		for len(wr) > svgLineRunes { // a single very long word
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(wr[:svgLineRunes]))
			wr = wr[svgLineRunes:]
		}
		switch {
		case len(cur) == 0:
			cur = wr
		case len(cur)+1+len(wr) <= svgLineRunes:
			cur = append(append(cur, ' '), wr...)
		default:
			lines = append(lines, string(cur))
			cur = wr
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	if len(lines) > svgMaxLines {
		last := []rune(strings.Join(lines[svgMaxLines-1:], " "))
		if len(last) > svgLineRunes {
			last = append(last[:svgLineRunes-1], '…')
		}
		lines = append(lines[:svgMaxLines-1], string(last))
	}
	return lines
}

// svgEscape writes s as XML character data, safe in text and in a
// double-quoted attribute.
func svgEscape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
