package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gen2brain/webp"
)

// photo is a deterministic photo-like picture: gradients, soft shapes,
// texture at coarse and fine scales (so that it survives downscaling, as a
// real scene's does), hard edges and sensor noise, so encoders and filters
// do real work. At 4000×3000 it makes a JPEG of about 2 MB at quality 90.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	coarse, fine := texture(rnd, w, h, 64), texture(rnd, w, h, 6)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			v := 40*math.Sin(fx*9+fy*5)*math.Cos(fy*7) + 25*coarse(x, y) + 20*fine(x, y) + 12*rnd.NormFloat64()
			i := m.PixOffset(x, y)
			m.Pix[i] = clampF(80 + 120*fx + v)
			m.Pix[i+1] = clampF(60 + 100*fy - v/2 + 8*fine(y, x))
			m.Pix[i+2] = clampF(140 - 60*fx + 50*fy + v/3)
			m.Pix[i+3] = 255
		}
	}
	// Hard edges, as of buildings and signs: shifted rectangles.
	for range 400 {
		x0, y0 := rnd.IntN(w), rnd.IntN(h)
		r := image.Rect(x0, y0, x0+rnd.IntN(w/8+1), y0+rnd.IntN(h/8+1)).Intersect(m.Rect)
		shift := [3]int{rnd.IntN(121) - 60, rnd.IntN(121) - 60, rnd.IntN(121) - 60}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i := m.PixOffset(x, y)
				for c, d := range shift {
					m.Pix[i+c] = clampF(float64(int(m.Pix[i+c]) + d))
				}
			}
		}
	}
	return m
}

// texture is value noise: random values on a grid of the given cell size,
// interpolated bilinearly between.
func texture(rnd *rand.Rand, w, h, cell int) func(x, y int) float64 {
	gw, gh := w/cell+2, h/cell+2
	g := make([]float64, gw*gh)
	for i := range g {
		g[i] = rnd.NormFloat64()
	}
	return func(x, y int) float64 {
		x, y = x%w, y%h
		cx, cy := x/cell, y/cell
		tx, ty := float64(x%cell)/float64(cell), float64(y%cell)/float64(cell)
		at := func(i, j int) float64 { return g[j*gw+i] }
		top := at(cx, cy)*(1-tx) + at(cx+1, cy)*tx
		bottom := at(cx, cy+1)*(1-tx) + at(cx+1, cy+1)*tx
		return top*(1-ty) + bottom*ty
	}
}

func clampF(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeWebP(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := webp.Encode(&b, m, webp.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// animatedGIF has frames of w×h, each a different colour.
func animatedGIF(t testing.TB, w, h, frames int) []byte {
	t.Helper()
	g := &gif.GIF{LoopCount: 0}
	for i := range frames {
		f := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for j := range f.Pix {
			f.Pix[j] = uint8(i*40 + j%7)
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// offsetGIF is a 20×16 animation whose first frame is a 5×4 patch at 3,2.
func offsetGIF(t testing.TB) []byte {
	t.Helper()
	small := image.NewPaletted(image.Rect(3, 2, 8, 6), palette.Plan9)
	full := image.NewPaletted(image.Rect(0, 0, 20, 16), palette.Plan9)
	g := &gif.GIF{Image: []*image.Paletted{small, full}, Delay: []int{10, 10}, Config: image.Config{Width: 20, Height: 16, ColorModel: color.Palette(palette.Plan9)}}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// insertAfterSOI puts JPEG segments right after the start-of-image marker.
func insertAfterSOI(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifBlock is an APP1 EXIF segment like a phone's: camera make, the
// orientation and a GPS position, little-endian.
func exifBlock(orientation int) []byte {
	le := binary.LittleEndian
	t := []byte("II*\x00")
	t = le.AppendUint32(t, 8)
	// IFD0: Make, Orientation, GPS IFD pointer.
	const ifd0 = 8
	const entries = 3
	makeAt := ifd0 + 2 + entries*12 + 4
	gpsAt := makeAt + 8
	t = le.AppendUint16(t, entries)
	t = le.AppendUint16(t, 0x010F) // Make, ASCII
	t = le.AppendUint16(t, 2)
	t = le.AppendUint32(t, 8)
	t = le.AppendUint32(t, uint32(makeAt))
	t = le.AppendUint16(t, 0x0112) // Orientation, SHORT
	t = le.AppendUint16(t, 3)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint32(t, uint32(orientation))
	t = le.AppendUint16(t, 0x8825) // GPS IFD, LONG
	t = le.AppendUint16(t, 4)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint32(t, uint32(gpsAt))
	t = le.AppendUint32(t, 0)
	t = append(t, "SpyCam7\x00"...)
	// GPS IFD: GPSLatitudeRef "N", GPSLatitude 33/1 30/1 0/1.
	t = le.AppendUint16(t, 2)
	t = le.AppendUint16(t, 0x0001)
	t = le.AppendUint16(t, 2)
	t = le.AppendUint32(t, 2)
	t = append(t, 'N', 0, 0, 0)
	t = le.AppendUint16(t, 0x0002)
	t = le.AppendUint16(t, 5)
	t = le.AppendUint32(t, 3)
	t = le.AppendUint32(t, uint32(gpsAt+2+2*12+4))
	t = le.AppendUint32(t, 0)
	for _, r := range []uint32{33, 1, 30, 1, 0, 1} {
		t = le.AppendUint32(t, r)
	}
	return segment(0xE1, append([]byte("Exif\x00\x00"), t...))
}

// pngChunk is a chunk with its checksum.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngHeader is a PNG signature and IHDR for an 8-bit RGBA image of w×h and
// nothing else.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// riffChunk is a WebP chunk, padded to an even length.
func riffChunk(id string, data []byte) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// vp8x is an extended-format header for a w×h canvas with the given flags.
func vp8x(flags byte, w, h int) []byte {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return riffChunk("VP8X", d)
}

// sameImage reports whether two images have the same pixels.
func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.RGBA64Model.Convert(a.At(x, y)) != color.RGBA64Model.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}
