package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"

	"khabar/internal/news"
)

// The outlet's icons, for phones' home screens and the web app manifest:
// made from an image of the library, or drawn until the outlet picks one.

// IconMinSide is the shortest side a library image needs to become the
// outlet's icons: the largest icon a manifest lists, so that none is
// enlarged.
const IconMinSide = 512

// iconMaxAspect bounds how far from square a logo may be. Its icons are
// cut from its middle; a photo's 4:3 loses a quarter, anything wider would
// lose what its sides show (a wordmark's letters).
const iconMaxAspect = 4.0 / 3

// The refusals of a logo. They are shown as settings errors, not upload
// ones: the catalogue's key is "err_logo_" + Code.
var (
	ErrNotRaster    = &Error{Code: "not_raster"}
	ErrIconTooSmall = &Error{Code: "too_small"}
	ErrNotSquare    = &Error{Code: "not_square"}
)

// Iconable is nil when the library image m can become the outlet's icons,
// and otherwise an *Error saying why not: it is not a picture this package
// decodes (an SVG, say), its shorter side is under IconMinSide, or it is
// too far from square.
func Iconable(m *news.Media) error {
	name, ok := strings.CutPrefix(m.MIME, "image/")
	switch f := Format(name); {
	case !ok, f != JPEG && f != PNG && f != GIF && f != WebP:
		return refuse(ErrNotRaster, m.MIME)
	}
	short, long := min(m.Width, m.Height), max(m.Width, m.Height)
	if short < IconMinSide {
		return refuse(ErrIconTooSmall, fmt.Sprintf("%d×%d pixels", m.Width, m.Height))
	}
	if float64(long) > iconMaxAspect*float64(short) {
		return refuse(ErrNotSquare, fmt.Sprintf("%d×%d pixels", m.Width, m.Height))
	}
	return nil
}

// Square reads the original stored under key, checked again as if
// uploaded, and returns it upright and cut to the square in its middle,
// side pixels wide.
func Square(ctx context.Context, st Store, key string, side int) (*image.RGBA, error) {
	f, err := st.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("icon from %s: %w", key, err)
	}
	defer f.Close()
	// The whole picture is brought to the square's scale first, which keeps
	// a JPEG in its planes (see resize): the crop and the conversion to RGBA
	// then handle an icon's pixels, not a photo's. The middle square of the
	// stored picture is the middle square of the upright one, so it is
	// turned last, at icon size.
	var sq *image.RGBA
	err = withChecked(ctx, f, Limits{}, func(up *Upload) error {
		b := up.img.Bounds()
		short := min(b.Dx(), b.Dy())
		w, h := b.Dx()*side/short, b.Dy()*side/short
		img := resize(up.img, w, h).(interface {
			SubImage(image.Rectangle) image.Image
		})
		x, y := (w-side)/2, (h-side)/2
		sq = orient(toRGBA(img.SubImage(image.Rect(x, y, x+side, y+side))), up.orientation)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("icon from %s: %w", key, err)
	}
	return sq, nil
}

// IconSpec is one icon file to make.
type IconSpec struct {
	Side int
	// Maskable keeps the picture inside the safe zone of the manifest's
	// maskable icons (the middle 80 %) on a filled square, so that a
	// launcher may cut the icon to any shape without cutting the logo.
	Maskable bool
	// Opaque fills what the picture leaves transparent, which iOS would
	// show black.
	Opaque bool
}

// maskableSafe is the share of a maskable icon the picture may fill.
const maskableSafe = 0.8

// Icons makes one PNG file per spec: from logo (a square from Square, at
// least as large as the largest spec), or, when logo is nil, the mark
// drawn on the theme colour.
func Icons(logo *image.RGBA, theme color.RGBA, specs []IconSpec) ([][]byte, error) {
	out := make([][]byte, len(specs))
	for i, sp := range specs {
		var m *image.RGBA
		switch {
		case logo == nil:
			// The mark keeps to the safe zone on a full square: it is
			// maskable and opaque as drawn.
			m = drawMark(sp.Side, theme)
		case !sp.Maskable && !sp.Opaque:
			m = toRGBA(resize(logo, sp.Side, sp.Side))
		default:
			m = image.NewRGBA(image.Rect(0, 0, sp.Side, sp.Side))
			draw.Draw(m, m.Rect, image.NewUniform(iconFill(logo, theme)), image.Point{}, draw.Src)
			inner := sp.Side
			if sp.Maskable {
				inner = int(math.Round(float64(sp.Side) * maskableSafe))
			}
			at := (sp.Side - inner) / 2
			draw.Draw(m, image.Rect(at, at, at+inner, at+inner), resize(logo, inner, inner), image.Point{}, draw.Over)
		}
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, m); err != nil {
			return nil, fmt.Errorf("encode the %d px icon: %w", sp.Side, err)
		}
		out[i] = b.Bytes()
	}
	return out, nil
}

// iconFill is what surrounds a logo in a maskable or opaque icon: the
// colour of its corner when that is opaque, so that a logo on a plain
// ground seems to go on to the edge, and the theme colour otherwise.
func iconFill(logo *image.RGBA, theme color.RGBA) color.RGBA {
	if c := logo.RGBAAt(logo.Rect.Min.X, logo.Rect.Min.Y); c.A == 0xff {
		return c
	}
	return theme
}

// drawMark draws the default icon: the letter خ (khāʾ, of خبر, "news"),
// built of a bar, an arc and a dot, on the theme colour. The shapes are
// signed distances, measured at each pixel's centre, so the mark is drawn
// smooth at any size without a font or a rasteriser.
func drawMark(side int, bg color.RGBA) *image.RGBA {
	ink := markInk(bg)
	m := image.NewRGBA(image.Rect(0, 0, side, side))
	s := float64(side)
	for y := range side {
		for x := range side {
			// Half a pixel of coverage each side of the edge.
			cover := min(max(0.5-markDistance((float64(x)+0.5)/s, (float64(y)+0.5)/s)*s, 0), 1)
			i := m.PixOffset(x, y)
			m.Pix[i] = mix(bg.R, ink.R, cover)
			m.Pix[i+1] = mix(bg.G, ink.G, cover)
			m.Pix[i+2] = mix(bg.B, ink.B, cover)
			m.Pix[i+3] = 0xff
		}
	}
	return m
}

func mix(a, b uint8, t float64) uint8 {
	return uint8(math.Round(float64(a)*(1-t) + float64(b)*t))
}

// The mark, in a unit square with y downwards, as the letter is written:
// a bar, from whose middle the bowl falls to the left and sweeps round
// the bottom to its tail on the right, and the dot above. All of it lies
// within the maskable safe zone (0.4 from the middle).
const (
	markStroke          = 0.046 // half the width of the lines
	barX0, barY0        = 0.31, 0.40
	barX1, barY1        = 0.66, 0.365
	joinX, joinY        = 0.426, 0.388 // where the bowl leaves the bar
	bowlX, bowlY, bowlR = 0.52, 0.6, 0.2
	// The bowl's arc, in radians clockwise from the right (y is
	// downwards): from its tail round the bottom to where the line from
	// the bar meets it, along the circle's tangent.
	bowlFrom, bowlTo = 20 * math.Pi / 180, 215 * math.Pi / 180
	dotX, dotY, dotR = 0.49, 0.225, 0.055
)

// markDistance is the signed distance from x, y to the mark: negative
// inside.
func markDistance(x, y float64) float64 {
	d := segmentDistance(x, y, barX0, barY0, barX1, barY1)
	d = min(d, segmentDistance(x, y, joinX, joinY, bowlX+bowlR*math.Cos(bowlTo), bowlY+bowlR*math.Sin(bowlTo)))
	d = min(d, arcDistance(x, y))
	return min(d-markStroke, math.Hypot(x-dotX, y-dotY)-dotR)
}

// segmentDistance is the distance from x, y to the segment a–b.
func segmentDistance(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := min(max(((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy), 0), 1)
	return math.Hypot(x-ax-t*dx, y-ay-t*dy)
}

// arcDistance is the distance from x, y to the bowl's centre line: to the
// circle within its angles, to the nearer end outside them.
func arcDistance(x, y float64) float64 {
	a := math.Mod(math.Atan2(y-bowlY, x-bowlX)-bowlFrom+4*math.Pi, 2*math.Pi)
	if a <= bowlTo-bowlFrom {
		return math.Abs(math.Hypot(x-bowlX, y-bowlY) - bowlR)
	}
	end := func(t float64) float64 { return math.Hypot(x-bowlX-bowlR*math.Cos(t), y-bowlY-bowlR*math.Sin(t)) }
	return min(end(bowlFrom), end(bowlTo))
}

// markInk is white, unless the ground is so pale that the site's dark ink
// reads better on it.
func markInk(bg color.RGBA) color.RGBA {
	white, dark := color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0x1b, 0x1b, 0x1f, 0xff}
	if contrast(white, bg) >= contrast(dark, bg) {
		return white
	}
	return dark
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// luminance is the relative luminance of an sRGB colour (WCAG 2).
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
