// Package media checks uploaded images, removes their metadata, stores them
// and makes the resized variants the site serves in srcset.
//
// Every upload is hostile. Its type is read from its first bytes (never from
// the file name or the client's Content-Type), and only JPEG, PNG, GIF and
// still WebP are accepted; its size is capped while it is read; its
// dimensions are read from the header and refused before anything is
// decoded; then the whole file is decoded, so a truncated or damaged file is
// refused rather than stored.
//
// Metadata is removed without re-encoding: JPEG segments, PNG chunks, GIF
// extensions and WebP chunks other than those needed to draw the image
// (pixels, colour profile, transparency, animation timing) are dropped, with
// any embedded thumbnail and whatever follows the end of the image. The one
// exception is the EXIF orientation of a JPEG: phones store portrait photos
// sideways with an orientation tag, and re-encoding them upright would cost
// quality on most uploads, so the stored original keeps a new, minimal EXIF
// block holding the orientation alone (no GPS, camera, date or thumbnail),
// which browsers honour. Width and Height are given as displayed. Variants
// are drawn upright and carry no metadata at all.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/webp"
)

// Format is an accepted image format.
type Format string

// The accepted formats.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	WebP Format = "webp"
)

// MIME is the format's media type.
func (f Format) MIME() string { return "image/" + string(f) }

func (f Format) ext() string {
	if f == JPEG {
		return ".jpg"
	}
	return "." + string(f)
}

// Limits bound what an upload may cost. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	MaxBytes  int64 // size of the file
	MaxPixels int64 // width × height, what decoding allocates
	MaxSide   int   // longest side
	MaxFrames int   // frames of an animated GIF
	// MaxAnimationPixels bounds the pixels of all GIF frames together: every
	// frame is decompressed to be checked, and LZW packs thousands of pixels
	// into a byte.
	MaxAnimationPixels int64
}

// DefaultLimits fit news photos from current cameras and phones (up to
// about 50 megapixels) and keep one check well under a second of CPU time.
var DefaultLimits = Limits{
	MaxBytes:           20 << 20,
	MaxPixels:          50_000_000,
	MaxSide:            16384,
	MaxFrames:          1000,
	MaxAnimationPixels: 250_000_000,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxPixels > 0 {
		d.MaxPixels = l.MaxPixels
	}
	if l.MaxSide > 0 {
		d.MaxSide = l.MaxSide
	}
	if l.MaxFrames > 0 {
		d.MaxFrames = l.MaxFrames
	}
	if l.MaxAnimationPixels > 0 {
		d.MaxAnimationPixels = l.MaxAnimationPixels
	}
	return d
}

func (l Limits) checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return refuse(ErrCorrupt, fmt.Sprintf("%d×%d pixels", w, h))
	}
	if w > l.MaxSide || h > l.MaxSide || int64(w)*int64(h) > l.MaxPixels {
		return refuse(ErrTooManyPixels, fmt.Sprintf("%d×%d pixels", w, h))
	}
	return nil
}

// Upload is a checked image, held in memory with its metadata removed.
type Upload struct {
	Format Format
	Width  int // as displayed, after the EXIF orientation
	Height int
	Frames int    // more than 1 for an animated GIF
	Data   []byte // the file to store
	SHA256 string // hex digest of Data, for finding duplicates

	orientation int         // EXIF orientation, 1 (upright) to 8
	img         image.Image // Data decoded (the first frame), as stored, not yet upright
}

// sniffLen is how much of an upload is read to learn its type.
const sniffLen = 512

// Check reads an upload and accepts it or refuses it with an *Error. It
// refuses an unknown type after the first bytes and too many pixels after the
// header, and reads at most lim.MaxBytes+1 bytes, so a huge upload costs
// little. The whole file is read before it is decoded, within the
// process's decoding budget (see decoding), and the decoded picture is let
// go before Check returns: the Upload holds the file. A refusal is an
// *Error; other errors are failures to read r, or ctx's end while the
// upload waited its turn to be decoded.
func Check(ctx context.Context, r io.Reader, lim Limits) (*Upload, error) {
	var up *Upload
	err := withChecked(ctx, r, lim, func(u *Upload) error {
		up = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	up.img = nil
	return up, nil
}

// withChecked checks an upload as Check does and hands it to use with its
// picture decoded, holding the picture's share of the decoding budget
// until use returns.
func withChecked(ctx context.Context, r io.Reader, lim Limits, use func(*Upload) error) error {
	lim = lim.orDefault()
	f, cfg, data, err := read(r, lim)
	if err != nil {
		return err
	}
	cost := decodeCost(f, cfg, data)
	if err := decoding.Acquire(ctx, cost); err != nil {
		return fmt.Errorf("wait to decode: %w", err)
	}
	defer decoding.Release(cost)
	up, err := inspect(f, data, lim)
	if err != nil {
		return err
	}
	return use(up)
}

// read reads an upload's bytes, refusing an unknown type after the first
// bytes and too many pixels after the header.
func read(r io.Reader, lim Limits) (Format, image.Config, []byte, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", image.Config{}, nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return "", image.Config{}, nil, ErrEmpty
	}
	f, ok := sniff(head)
	if !ok {
		return "", image.Config{}, nil, refuse(ErrUnsupportedType, "content looks like "+http.DetectContentType(head))
	}
	var buf bytes.Buffer
	buf.Write(head)
	lr := io.LimitReader(r, lim.MaxBytes+1-int64(n))
	cfg, err := codecs[f].config(io.MultiReader(bytes.NewReader(head), io.TeeReader(lr, &buf)))
	if err != nil {
		return "", image.Config{}, nil, refuse(ErrCorrupt, err.Error())
	}
	if err := lim.checkSize(cfg.Width, cfg.Height); err != nil {
		return "", image.Config{}, nil, err
	}
	// The rest comes in chunks joined once at the end, so a refused upload
	// costs its limit in memory rather than a growing buffer's copies.
	chunks, total := [][]byte{buf.Bytes()}, int64(buf.Len())
	for total <= lim.MaxBytes {
		c := make([]byte, min(readChunk, lim.MaxBytes+1-total))
		k, err := io.ReadFull(lr, c)
		chunks, total = append(chunks, c[:k]), total+int64(k)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return "", image.Config{}, nil, fmt.Errorf("read upload: %w", err)
		}
	}
	if total > lim.MaxBytes {
		return "", image.Config{}, nil, refuse(ErrTooLarge, fmt.Sprintf("more than %d bytes", lim.MaxBytes))
	}
	return f, cfg, bytes.Join(chunks, nil), nil
}

const readChunk = 256 << 10

// sniff names the format from magic bytes.
func sniff(b []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, true
	}
	return "", false
}

// codecs are the standard decoders of each format.
var codecs = map[Format]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	JPEG: {jpeg.DecodeConfig, jpeg.Decode},
	PNG:  {png.DecodeConfig, png.Decode},
	GIF:  {gif.DecodeConfig, gif.Decode},
	WebP: {webp.DecodeConfig, webp.Decode},
}

// inspect checks a whole file: its structure while removing metadata, then
// its pixels by decoding what will be stored.
func inspect(f Format, data []byte, lim Limits) (*Upload, error) {
	cfg, err := codecs[f].config(bytes.NewReader(data))
	if err != nil {
		return nil, refuse(ErrCorrupt, err.Error())
	}
	if err := lim.checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	up := &Upload{Format: f, Frames: 1, orientation: 1}
	switch f {
	case JPEG:
		up.Data, up.orientation, err = stripJPEG(data)
	case PNG:
		up.Data, err = stripPNG(data)
	case GIF:
		up.Data, up.Frames, err = stripGIF(data, lim)
	default:
		up.Data, err = stripWebP(data)
	}
	if err != nil {
		return nil, err
	}
	img, err := codecs[f].decode(bytes.NewReader(up.Data))
	if err != nil {
		return nil, refuse(ErrCorrupt, err.Error())
	}
	b := img.Bounds()
	if canvas := image.Rect(0, 0, cfg.Width, cfg.Height); f == GIF && b != canvas && b.In(canvas) {
		// A GIF's first frame may cover part of the canvas only; the still
		// shows it where it belongs, on transparency.
		c := image.NewRGBA(canvas)
		draw.Draw(c, b, img, b.Min, draw.Src)
		img, b = c, canvas
	}
	if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, refuse(ErrCorrupt, fmt.Sprintf("header says %d×%d, pixels are %d×%d", cfg.Width, cfg.Height, b.Dx(), b.Dy()))
	}
	up.img = img
	up.Width, up.Height = b.Dx(), b.Dy()
	if up.orientation >= 5 {
		up.Width, up.Height = up.Height, up.Width
	}
	sum := sha256.Sum256(up.Data)
	up.SHA256 = hex.EncodeToString(sum[:])
	return up, nil
}
