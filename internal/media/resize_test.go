package media

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	xdraw "golang.org/x/image/draw"
)

func TestOrient(t *testing.T) {
	// A 3×2 image whose pixels are numbered 1–6 row by row, and how each
	// EXIF orientation must show it.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		src.Pix[i*4] = uint8(i + 1)
	}
	tests := []struct {
		o    int
		want [][]uint8
	}{
		{1, [][]uint8{{1, 2, 3}, {4, 5, 6}}},
		{2, [][]uint8{{3, 2, 1}, {6, 5, 4}}},
		{3, [][]uint8{{6, 5, 4}, {3, 2, 1}}},
		{4, [][]uint8{{4, 5, 6}, {1, 2, 3}}},
		{5, [][]uint8{{1, 4}, {2, 5}, {3, 6}}},
		{6, [][]uint8{{4, 1}, {5, 2}, {6, 3}}},
		{7, [][]uint8{{6, 3}, {5, 2}, {4, 1}}},
		{8, [][]uint8{{3, 6}, {2, 5}, {1, 4}}},
		{9, [][]uint8{{1, 2, 3}, {4, 5, 6}}},
	}
	for _, tt := range tests {
		m := orient(src, tt.o)
		var got [][]uint8
		for y := range m.Rect.Dy() {
			var row []uint8
			for x := range m.Rect.Dx() {
				row = append(row, m.RGBAAt(x, y).R)
			}
			got = append(got, row)
		}
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("orientation %d: got %v, want %v", tt.o, got, tt.want)
		}
	}
}

// psnr compares two RGBA images of one size, in decibels.
func psnr(a, b *image.RGBA) float64 {
	var sum float64
	for i := range a.Pix {
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		sum += d * d
	}
	return 10 * math.Log10(255*255/(sum/float64(len(a.Pix))))
}

// TestResizeMatchesXImage holds the resampler to golang.org/x/image/draw's
// Catmull-Rom, for every kind of source the variants meet. A JPEG's planes
// are compared one by one: they are resized apart, and the chroma stays at
// half resolution, as the JPEG and WebP encoders would make it anyway.
func TestResizeMatchesXImage(t *testing.T) {
	rgba := photo(601, 403)
	gray := image.NewGray(rgba.Rect)
	xdraw.Draw(gray, gray.Rect, rgba, image.Point{}, xdraw.Src)
	img, _ := codecs[JPEG].decode(bytes.NewReader(encodeJPEG(t, rgba)))
	ycc := img.(*image.YCbCr)
	tests := []struct {
		name string
		src  image.Image
		w, h int
	}{
		{"rgba", rgba, 320, 214},
		{"rgba, slight", rgba, 577, 387},
		{"gray", gray, 250, 168},
		{"ycbcr 4:2:0", ycc, 320, 214},
		{"ycbcr, a tenth", ycc, 60, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resize(tt.src, tt.w, tt.h)
			if b := got.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("size %v", b)
			}
			pairs := [][2]image.Image{{got, tt.src}}
			if g, ok := got.(*image.YCbCr); ok {
				sw, sh := chromaSize(ycc.Rect, ycc.SubsampleRatio)
				dw, dh := chromaSize(g.Rect, g.SubsampleRatio)
				pairs = [][2]image.Image{
					{asGray(g.Y, tt.w, tt.h, g.YStride), asGray(ycc.Y, ycc.Rect.Dx(), ycc.Rect.Dy(), ycc.YStride)},
					{asGray(g.Cb, dw, dh, g.CStride), asGray(ycc.Cb, sw, sh, ycc.CStride)},
					{asGray(g.Cr, dw, dh, g.CStride), asGray(ycc.Cr, sw, sh, ycc.CStride)},
				}
			}
			for _, p := range pairs {
				got, src := toRGBA(p[0]), p[1]
				want := image.NewRGBA(got.Rect)
				xdraw.CatmullRom.Scale(want, want.Rect, src, src.Bounds(), xdraw.Src, nil)
				if p := psnr(got, want); p < 45 {
					t.Errorf("PSNR against x/image/draw = %.1f dB, want ≥ 45", p)
				}
			}
		})
	}
}

func asGray(pix []byte, w, h, stride int) *image.Gray {
	return &image.Gray{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, w, h)}
}

func TestResizeKeepsTransparentColoursOut(t *testing.T) {
	// Opaque red beside fully transparent green: no green may appear in
	// the resized red, nor any colour above its alpha.
	src := image.NewNRGBA(image.Rect(0, 0, 100, 10))
	for y := range 10 {
		for x := range 100 {
			c := color.NRGBA{0, 255, 0, 0}
			if x < 50 {
				c = color.NRGBA{255, 0, 0, 255}
			}
			src.SetNRGBA(x, y, c)
		}
	}
	m := resize(src, 33, 3).(*image.RGBA)
	for i := 0; i < len(m.Pix); i += 4 {
		r, g, b, a := m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]
		if g > 0 || b > 0 || r > a {
			t.Fatalf("pixel %d = %v", i/4, m.Pix[i:i+4])
		}
	}
	n := toNRGBA(m)
	if c := n.NRGBAAt(5, 1); c != (color.NRGBA{255, 0, 0, 255}) {
		t.Errorf("inside the red: %v", c)
	}
}

func TestNewAxisWeightsSumToOne(t *testing.T) {
	for _, io := range [][2]int{{4000, 1600}, {1600, 1024}, {7, 3}, {5, 5}, {1, 1}, {3, 1}, {1000, 999}} {
		a := newAxis(io[0], io[1])
		for i, st := range a.start {
			var sum int32
			for _, w := range a.w[i*a.n : (i+1)*a.n] {
				sum += w
			}
			if sum != 1<<wBits || st < 0 || st+a.n > io[0] {
				t.Fatalf("%v: output %d starts at %d, weights sum to %d", io, i, st, sum)
			}
		}
	}
}
