package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gen2brain/webp"
	"golang.org/x/sync/errgroup"
)

// DefaultWidths are the variant widths: a phone in portrait, a phone at
// 2× or a tablet column, a laptop column at 2×, a wide screen.
var DefaultWidths = []int{320, 640, 1024, 1600}

// Encoder settings, chosen by measurement (bench/README.md): with the
// WebAssembly build of libwebp, method 0 encodes 1600×1200 in 0.37 s;
// method 2 saves 6 % of the bytes in 0.67 s and method 4 9 % in over 1.8 s,
// which would put a 12-megapixel photo past the 2-second target.
const (
	jpegQuality = 82
	webpQuality = 80
	webpMethod  = 0
)

// Processor stores uploads and makes their variants.
type Processor struct {
	Store  Store
	Limits Limits
	Widths []int            // nil means DefaultWidths
	Now    func() time.Time // names the month folder; nil means time.Now
}

// Record describes a stored original and its variants, for the media table.
// An animated GIF (Frames > 1) has still variants of its first frame, so a
// page that should move shows the original.
type Record struct {
	Key      string
	Format   Format
	Width    int // as displayed
	Height   int
	Bytes    int64
	SHA256   string
	Frames   int
	Variants []Variant
}

// Variant is one resized copy of an image.
type Variant struct {
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format Format `json:"format"`
	Bytes  int64  `json:"bytes"`
}

// Process checks an upload, stores it and makes its variants: the whole
// path in one call. A request handler would rather call Check and Save, and
// leave Variants to a background job.
func (p *Processor) Process(ctx context.Context, r io.Reader) (*Record, error) {
	var rec *Record
	err := withChecked(ctx, r, p.Limits, func(up *Upload) error {
		var err error
		if rec, err = p.Save(ctx, up); err != nil {
			return err
		}
		rec.Variants, err = p.variants(ctx, rec.Key, up)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Save stores a checked upload as the original. The key is the month of
// the upload and the file's digest, so the same file saved twice in a month
// is one file.
func (p *Processor) Save(ctx context.Context, up *Upload) (*Record, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	t := now().UTC()
	key := fmt.Sprintf("%04d/%02d/%s%s", t.Year(), t.Month(), up.SHA256[:32], up.Format.ext())
	n, err := p.Store.Put(ctx, key, bytes.NewReader(up.Data))
	if err != nil {
		return nil, fmt.Errorf("save upload: %w", err)
	}
	return &Record{Key: key, Format: up.Format, Width: up.Width, Height: up.Height, Bytes: n, SHA256: up.SHA256, Frames: up.Frames}, nil
}

// Variants makes the variants of a stored original, checking it again as
// if uploaded: the background job's entry point.
func (p *Processor) Variants(ctx context.Context, key string) ([]Variant, error) {
	f, err := p.Store.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("variants of %s: %w", key, err)
	}
	defer f.Close()
	var vs []Variant
	err = withChecked(ctx, f, p.Limits, func(up *Upload) error {
		var err error
		vs, err = p.variants(ctx, key, up)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("variants of %s: %w", key, err)
	}
	return vs, nil
}

// variants resizes from the largest width down, each from the one before
// (cheap, and as sharp: each step shrinks by less than two), while the
// encoders run on every processor. Each width is made as WebP and in the
// fallback format; a GIF gives stills of its first frame. The result is
// ordered by width, WebP first.
func (p *Processor) variants(ctx context.Context, key string, up *Upload) ([]Variant, error) {
	sizes := p.sizes(up.Width, up.Height)
	out := make([]Variant, 2*len(sizes))
	formats := [2]Format{WebP, fallbackFormat(up)}
	g, ctx := errgroup.WithContext(ctx)
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	img := up.img
	for i, s := range sizes {
		w, h := s.X, s.Y
		if up.orientation >= 5 {
			w, h = h, w
		}
		img = resize(img, w, h)
		m := orient(toRGBA(img), up.orientation)
		for j, f := range formats {
			g.Go(func() error {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return ctx.Err()
				}
				defer func() { <-slots }()
				v, err := p.encode(ctx, key, m, f)
				out[(len(sizes)-1-i)*2+j] = v
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("variants of %s: %w", key, err)
	}
	return out, nil
}

// sizes are the variant sizes, largest first. Widths above the image's are
// brought down to it, never up, so a small image still gets one re-encoded,
// metadata-free copy in each format.
func (p *Processor) sizes(w, h int) []image.Point {
	widths := p.Widths
	if widths == nil {
		widths = DefaultWidths
	}
	var out []image.Point
	for _, vw := range slices.Backward(slices.Sorted(slices.Values(widths))) {
		vw = min(vw, w)
		if vw < 1 || len(out) > 0 && out[len(out)-1].X == vw {
			continue
		}
		out = append(out, image.Pt(vw, max(1, int(math.Round(float64(h)*float64(vw)/float64(w))))))
	}
	return out
}

// fallbackFormat is the format for browsers without WebP: the original's,
// except that GIF stills are PNG and a WebP's is JPEG, or PNG when it has
// transparency.
func fallbackFormat(up *Upload) Format {
	switch up.Format {
	case JPEG, PNG:
		return up.Format
	case WebP:
		if o, ok := up.img.(interface{ Opaque() bool }); ok && o.Opaque() {
			return JPEG
		}
	}
	return PNG
}

func (p *Processor) encode(ctx context.Context, key string, m *image.RGBA, f Format) (Variant, error) {
	var buf bytes.Buffer
	var err error
	switch f {
	case JPEG:
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality})
	case PNG:
		err = png.Encode(&buf, m)
	default:
		err = webp.Encode(&buf, toNRGBA(m), webp.Options{Quality: webpQuality, Method: webpMethod})
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	if err != nil {
		return Variant{}, fmt.Errorf("encode %s at %d px: %w", f, w, err)
	}
	vkey := strings.TrimSuffix(key, path.Ext(key)) + "-" + strconv.Itoa(w) + f.ext()
	n, err := p.Store.Put(ctx, vkey, &buf)
	if err != nil {
		return Variant{}, err
	}
	return Variant{Key: vkey, Width: w, Height: h, Format: f, Bytes: n}, nil
}

// toNRGBA gives the WebP encoder the unpremultiplied pixels it wants; for an
// opaque image they are the same bytes.
func toNRGBA(m *image.RGBA) *image.NRGBA {
	if m.Opaque() {
		return &image.NRGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
	}
	n := image.NewNRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		a := uint32(m.Pix[i+3])
		if a == 0 {
			continue
		}
		for c := range 3 {
			n.Pix[i+c] = uint8((uint32(m.Pix[i+c])*255 + a/2) / a)
		}
		n.Pix[i+3] = uint8(a)
	}
	return n
}
