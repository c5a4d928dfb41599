package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func processor(t *testing.T) (*Processor, *Disk) {
	t.Helper()
	d, _ := openDisk(t)
	return &Processor{Store: d, Now: func() time.Time { return time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC) }}, d
}

// stored reads back a stored file, checking its size against the record.
func stored(t *testing.T, s Store, key string, size int64) []byte {
	t.Helper()
	b := readAll(t, s, key)
	if int64(len(b)) != size {
		t.Errorf("%s: %d bytes stored, record says %d", key, len(b), size)
	}
	return b
}

func TestProcess(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 700, 350))
	for i := range transparent.Pix {
		transparent.Pix[i] = uint8(i / 3)
	}
	tests := []struct {
		name          string
		data          []byte
		format        Format
		width, height int
		// the variants' widths and heights, narrowest first, each in WebP and
		// then in the fallback format
		sizes    [][2]int
		fallback Format
	}{
		{"landscape jpeg", encodeJPEG(t, photo(2000, 1000)), JPEG, 2000, 1000,
			[][2]int{{320, 160}, {640, 320}, {1024, 512}, {1600, 800}}, JPEG},
		// Stored 2000×1000 and turned a quarter: 1000 wide as displayed, so
		// 1024 and 1600 come down to 1000, once.
		{"portrait jpeg by exif", insertAfterSOI(encodeJPEG(t, photo(2000, 1000)), exifBlock(6)), JPEG, 1000, 2000,
			[][2]int{{320, 640}, {640, 1280}, {1000, 2000}}, JPEG},
		{"small png, never upscaled", encodePNG(t, transparent), PNG, 700, 350,
			[][2]int{{320, 160}, {640, 320}, {700, 350}}, PNG},
		{"gif gives png stills", animatedGIF(t, 300, 200, 2), GIF, 300, 200,
			[][2]int{{300, 200}}, PNG},
		{"opaque webp falls back to jpeg", encodeWebP(t, photo(400, 300)), WebP, 400, 300,
			[][2]int{{320, 240}, {400, 300}}, JPEG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := processor(t)
			rec, err := p.Process(context.Background(), bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if rec.Format != tt.format || rec.Width != tt.width || rec.Height != tt.height {
				t.Errorf("record %s %d×%d, want %s %d×%d", rec.Format, rec.Width, rec.Height, tt.format, tt.width, tt.height)
			}
			if !strings.HasPrefix(rec.Key, "2026/11/"+rec.SHA256[:32]) {
				t.Errorf("key %q", rec.Key)
			}
			stored(t, s, rec.Key, rec.Bytes)
			if len(rec.Variants) != 2*len(tt.sizes) {
				t.Fatalf("%d variants, want %d: %+v", len(rec.Variants), 2*len(tt.sizes), rec.Variants)
			}
			for i, v := range rec.Variants {
				size, format := tt.sizes[i/2], []Format{WebP, tt.fallback}[i%2]
				if v.Width != size[0] || v.Height != size[1] || v.Format != format {
					t.Errorf("variant %d is %s %d×%d, want %s %d×%d", i, v.Format, v.Width, v.Height, format, size[0], size[1])
				}
				if v.Width > rec.Width {
					t.Errorf("variant %d upscaled", i)
				}
				b := stored(t, s, v.Key, v.Bytes)
				cfg, err := codecs[v.Format].config(bytes.NewReader(b))
				if err != nil || cfg.Width != v.Width || cfg.Height != v.Height {
					t.Errorf("variant %s decodes as %d×%d, %v", v.Key, cfg.Width, cfg.Height, err)
				}
				if f, _ := sniff(b); f != v.Format {
					t.Errorf("variant %s is %s inside", v.Key, f)
				}
				if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("SpyCam")) {
					t.Errorf("variant %s carries metadata", v.Key)
				}
			}
			// The background job's path gives the same variants.
			again, err := p.Variants(context.Background(), rec.Key)
			if err != nil {
				t.Fatal(err)
			}
			for i := range again {
				if again[i].Key != rec.Variants[i].Key || again[i].Width != rec.Variants[i].Width {
					t.Errorf("Variants()[%d] = %+v, Process gave %+v", i, again[i], rec.Variants[i])
				}
			}
		})
	}
}

// TestVariantsUpright checks that a sideways-stored photo comes out upright:
// its top-left corner as displayed is bright, and the rest dark.
func TestVariantsUpright(t *testing.T) {
	sideways := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			i := sideways.PixOffset(x, y)
			sideways.Pix[i+3] = 255
			// Orientation 6 turns the stored image clockwise, so what shows
			// at the top left is stored at the bottom left.
			if x < 100 && y >= 150 {
				sideways.Pix[i], sideways.Pix[i+1], sideways.Pix[i+2] = 255, 255, 255
			}
		}
	}
	p, s := processor(t)
	rec, err := p.Process(context.Background(), bytes.NewReader(insertAfterSOI(encodeJPEG(t, sideways), exifBlock(6))))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rec.Variants {
		img, err := codecs[v.Format].decode(bytes.NewReader(readAll(t, s, v.Key)))
		if err != nil {
			t.Fatal(err)
		}
		w, h := v.Width, v.Height
		if lum(img, w/10, h/20) < 200 || lum(img, w-w/10, h/20) > 50 || lum(img, w/10, h-h/20) > 50 {
			t.Errorf("%s is not upright", v.Key)
		}
	}
}

func lum(m image.Image, x, y int) uint32 {
	r, g, b, _ := m.At(x, y).RGBA()
	return (r + g + b) / 3 >> 8
}

func readAll(t *testing.T, s Store, key string) []byte {
	t.Helper()
	f, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func TestProcessRefusesWithoutStoring(t *testing.T) {
	p, s := processor(t)
	_, err := p.Process(context.Background(), strings.NewReader("<svg onload=alert(1)>"))
	if !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("Process = %v", err)
	}
	if _, err := p.Variants(context.Background(), "2026/11/missing.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Variants of a missing key = %v", err)
	}
	if _, err := s.Stat(context.Background(), "2026"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was stored: %v", err)
	}
}

func TestSizesWithCustomWidths(t *testing.T) {
	p := &Processor{Widths: []int{800, 100, 400, 400}}
	got := p.sizes(1000, 3)
	want := []image.Point{{800, 2}, {400, 1}, {100, 1}}
	if len(got) != len(want) {
		t.Fatalf("sizes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sizes = %v, want %v", got, want)
		}
	}
}
