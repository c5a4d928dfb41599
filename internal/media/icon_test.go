package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"testing"

	"khabar/internal/news"
)

func TestIconable(t *testing.T) {
	cases := []struct {
		name string
		m    news.Media
		want *Error // nil: accepted
	}{
		{"square png", news.Media{MIME: "image/png", Width: 512, Height: 512}, nil},
		{"large jpeg", news.Media{MIME: "image/jpeg", Width: 3000, Height: 3000}, nil},
		{"a photo's 4:3", news.Media{MIME: "image/webp", Width: 1024, Height: 768}, nil},
		{"portrait 3:4", news.Media{MIME: "image/gif", Width: 768, Height: 1024}, nil},
		{"svg", news.Media{MIME: "image/svg+xml", Width: 1200, Height: 1200}, ErrNotRaster},
		{"format without its type", news.Media{MIME: "png", Width: 600, Height: 600}, ErrNotRaster},
		{"no type", news.Media{Width: 600, Height: 600}, ErrNotRaster},
		{"not an image", news.Media{MIME: "application/pdf", Width: 600, Height: 600}, ErrNotRaster},
		{"one pixel short", news.Media{MIME: "image/png", Width: 511, Height: 600}, ErrIconTooSmall},
		{"no size recorded", news.Media{MIME: "image/jpeg"}, ErrIconTooSmall},
		{"negative size", news.Media{MIME: "image/jpeg", Width: -600, Height: 600}, ErrIconTooSmall},
		{"a wordmark", news.Media{MIME: "image/png", Width: 6000, Height: 600}, ErrNotSquare},
		{"just past 4:3", news.Media{MIME: "image/png", Width: 1025, Height: 768}, ErrNotSquare},
	}
	for _, c := range cases {
		err := Iconable(&c.m)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// fill paints r of m in c.
func fill(m draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(m, r, image.NewUniform(c), image.Point{}, draw.Src)
}

var (
	red    = color.RGBA{0xff, 0, 0, 0xff}
	blue   = color.RGBA{0, 0, 0xff, 0xff}
	white  = color.RGBA{0xff, 0xff, 0xff, 0xff}
	black  = color.RGBA{0, 0, 0, 0xff}
	yellow = color.RGBA{0xff, 0xff, 0, 0xff}
)

// near is whether two colours differ by at most tol in every channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// TestSquare: the icon is the upright middle square of the stored image,
// whatever its format, shape and EXIF orientation.
func TestSquare(t *testing.T) {
	// 900×600: red and blue bands at the sides, which the crop drops; in
	// the middle square, white above and black below.
	wide := image.NewRGBA(image.Rect(0, 0, 900, 600))
	fill(wide, image.Rect(0, 0, 150, 600), red)
	fill(wide, image.Rect(750, 0, 900, 600), blue)
	fill(wide, image.Rect(150, 0, 750, 300), white)
	fill(wide, image.Rect(150, 300, 750, 600), black)
	// The same picture stored on its side, with the EXIF orientation (6)
	// that turns it upright: 600×900, white on the left.
	side := image.NewRGBA(image.Rect(0, 0, 600, 900))
	fill(side, image.Rect(0, 0, 600, 150), red)
	fill(side, image.Rect(0, 750, 600, 900), blue)
	fill(side, image.Rect(0, 150, 300, 750), white)
	fill(side, image.Rect(300, 150, 600, 750), black)
	files, err := OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	ctx := context.Background()
	cases := []struct {
		name string
		data []byte
		tol  int
	}{
		{"png", encodePNG(t, wide), 2},
		{"jpeg", encodeJPEG(t, wide), 24},
		{"jpeg turned by exif", insertAfterSOI(encodeJPEG(t, side), exifBlock(6)), 24},
		{"webp", encodeWebP(t, wide), 40},
	}
	for i, c := range cases {
		key := fmt.Sprintf("2026/01/%d.img", i)
		if _, err := files.Put(ctx, key, bytes.NewReader(c.data)); err != nil {
			t.Fatal(err)
		}
		m, err := Square(ctx, files, key, 256)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if b := m.Bounds(); b != image.Rect(0, 0, 256, 256) {
			t.Fatalf("%s: bounds %v", c.name, b)
		}
		for _, p := range []struct {
			x, y int
			want color.RGBA
		}{{3, 3, white}, {252, 3, white}, {3, 252, black}, {252, 252, black}, {128, 60, white}, {128, 200, black}} {
			if got := m.RGBAAt(p.x, p.y); !near(got, p.want, c.tol) {
				t.Errorf("%s: pixel %d,%d is %v, want %v (the middle square, upright)", c.name, p.x, p.y, got, p.want)
			}
		}
	}
	if _, err := Square(ctx, files, "2026/01/gone.png", 256); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Square(ctx, files, "../escape.png", 256); !errors.Is(err, ErrBadKey) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := files.Put(ctx, "2026/01/fake.png", bytes.NewReader([]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"))); err != nil {
		t.Fatal(err)
	}
	if _, err := Square(ctx, files, "2026/01/fake.png", 256); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("not an image: %v", err)
	}
}

func decodePNG(t *testing.T, b []byte) *image.NRGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	m := image.NewNRGBA(img.Bounds())
	draw.Draw(m, m.Rect, img, img.Bounds().Min, draw.Src)
	return m
}

func nrgba(m *image.NRGBA, x, y int) color.RGBA {
	c := m.NRGBAAt(x, y)
	return color.RGBA{c.R, c.G, c.B, c.A}
}

func TestIcons(t *testing.T) {
	theme := color.RGBA{0x8c, 0x1c, 0x13, 0xff}
	specs := []IconSpec{{Side: 192}, {Side: 512, Maskable: true, Opaque: true}, {Side: 180, Opaque: true}, {Side: 48}}

	// A logo on a plain blue ground with a yellow middle, and the same
	// with its ground transparent.
	solid := image.NewRGBA(image.Rect(0, 0, 512, 512))
	fill(solid, solid.Rect, blue)
	fill(solid, image.Rect(156, 156, 356, 356), yellow)
	hollow := image.NewRGBA(solid.Rect)
	fill(hollow, image.Rect(156, 156, 356, 356), yellow)

	cases := []struct {
		name string
		logo *image.RGBA
		// The colour of the corner of an icon as the logo is, and of one
		// filled (maskable or opaque); alpha 0 is transparent.
		corner, filled color.RGBA
		centre         color.RGBA // unchecked for the drawn mark
	}{
		{"drawn", nil, theme, theme, white},
		{"solid logo", solid, blue, blue, yellow},
		{"transparent logo", hollow, color.RGBA{}, theme, yellow},
	}
	for _, c := range cases {
		files, err := Icons(c.logo, theme, specs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, sp := range specs {
			m := decodePNG(t, files[i])
			if b := m.Bounds(); b.Dx() != sp.Side || b.Dy() != sp.Side {
				t.Errorf("%s: icon %d is %v, want %d px square", c.name, i, b, sp.Side)
				continue
			}
			corner := c.corner
			if sp.Maskable || sp.Opaque {
				corner = c.filled
			}
			if got := nrgba(m, 0, 0); !near(got, corner, 2) {
				t.Errorf("%s: %d px icon's corner is %v, want %v", c.name, sp.Side, got, corner)
			}
			if got := nrgba(m, sp.Side/2, sp.Side/2); c.logo != nil && !near(got, c.centre, 2) {
				t.Errorf("%s: %d px icon's centre is %v, want %v", c.name, sp.Side, got, c.centre)
			}
			if sp.Opaque || c.logo == nil {
				for p := 3; p < len(m.Pix); p += 4 {
					if m.Pix[p] != 0xff {
						t.Errorf("%s: the %d px icon, to be opaque, has transparent pixels", c.name, sp.Side)
						break
					}
				}
			}
		}
	}

	// The maskable icon shrinks the logo into the safe zone, the middle
	// 80 %: its yellow square, from 152 to 348 px at full size, runs
	// from 172 to 328.
	files, err := Icons(solid, theme, []IconSpec{{Side: 500, Maskable: true}})
	if err != nil {
		t.Fatal(err)
	}
	m := decodePNG(t, files[0])
	if got := nrgba(m, 250, 162); !near(got, blue, 2) {
		t.Errorf("maskable: the logo is not shrunk (%v at 250,162)", got)
	}
	if got := nrgba(m, 250, 250); !near(got, yellow, 2) {
		t.Errorf("maskable: the logo's middle is %v", got)
	}
}

// TestDrawnMark: the mark is there, within the maskable safe zone, and
// legible on any theme colour.
func TestDrawnMark(t *testing.T) {
	for _, theme := range []color.RGBA{{0x8c, 0x1c, 0x13, 0xff}, {0xff, 0xff, 0xff, 0xff}, {0xf5, 0xe6, 0x42, 0xff}, {0, 0, 0, 0xff}} {
		m := drawMark(200, theme)
		ink, inked := markInk(theme), 0
		for y := range 200 {
			for x := range 200 {
				c := m.RGBAAt(x, y)
				if c == ink {
					inked++
				}
				dx, dy := float64(x)+0.5-100, float64(y)+0.5-100
				if c != theme && dx*dx+dy*dy > 80*80 {
					t.Fatalf("theme %v: ink at %d,%d, outside the safe zone", theme, x, y)
				}
			}
		}
		if inked < 200*200/20 {
			t.Errorf("theme %v: only %d pixels of ink", theme, inked)
		}
		if contrast(ink, theme) < 4.5 {
			t.Errorf("theme %v: ink %v has a contrast of %.1f", theme, ink, contrast(ink, theme))
		}
	}
}
