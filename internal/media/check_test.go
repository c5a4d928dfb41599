package media

import (
	"bytes"
	"errors"
	"image"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCheckRefuses(t *testing.T) {
	jpg := encodeJPEG(t, photo(64, 48))
	gifs := animatedGIF(t, 8, 8, 3)
	// The second frame's descriptor: after the header, the first frame's
	// graphic control extension, descriptor and pixels, and its own control
	// extension. Found by searching for the descriptor of an 8×8 frame.
	second := bytes.Index(gifs[bytes.Index(gifs, []byte{0x2C, 0, 0, 0, 0, 8, 0, 8, 0})+1:], []byte{0x2C, 0, 0, 0, 0, 8, 0, 8, 0}) +
		bytes.Index(gifs, []byte{0x2C, 0, 0, 0, 0, 8, 0, 8, 0}) + 1
	outside := bytes.Clone(gifs)
	outside[second+1] = 5 // x = 5: the 8-pixel frame ends at 13, past the canvas
	badLZW := bytes.Clone(gifs)
	pixels := second + 10 + colorTable(gifs[second+9]) + 2 // past the code size and the first block's length
	badLZW[pixels+1] ^= 0xFF
	badCRC := pngHeader(4, 4)
	badCRC[len(badCRC)-1] ^= 1
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	sofOnly := jpg[:sos] // headers up to the first scan
	// The one scan repeated past the limit, as a scan bomb would be.
	manyScans := bytes.Join([][]byte{jpg[:sos], bytes.Repeat(jpg[sos:len(jpg)-2], maxScans+1), {0xFF, 0xD9}}, nil)

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want *Error
	}{
		{"zero bytes", nil, Limits{}, ErrEmpty},
		{"truncated jpeg", jpg[:len(jpg)/2], Limits{}, ErrCorrupt},
		{"jpeg without scans", sofOnly, Limits{}, ErrCorrupt},
		{"jpeg with too many scans", manyScans, Limits{}, ErrCorrupt},
		{"30000×30000 png header", pngHeader(30000, 30000), Limits{}, ErrTooManyPixels},
		{"too wide", pngHeader(20000, 10), Limits{}, ErrTooManyPixels},
		{"zero width", pngHeader(0, 10), Limits{}, ErrCorrupt},
		{"png without pixels", append(pngHeader(4, 4), pngChunk("IEND", nil)...), Limits{}, ErrCorrupt},
		{"png with a bad checksum", badCRC, Limits{}, ErrCorrupt},
		{"svg with script (named .png)", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), Limits{}, ErrUnsupportedType},
		{"html renamed .jpg", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), Limits{}, ErrUnsupportedType},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Limits{}, ErrUnsupportedType},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), Limits{}, ErrUnsupportedType},
		{"jpeg magic alone", []byte{0xFF, 0xD8, 0xFF}, Limits{}, ErrCorrupt},
		{"gif frame outside the canvas", outside, Limits{}, ErrCorrupt},
		{"gif with damaged frame data", badLZW, Limits{}, ErrCorrupt},
		{"gif over the frame limit", gifs, Limits{MaxFrames: 2}, ErrTooManyPixels},
		{"gif over the animation pixel limit", gifs, Limits{MaxAnimationPixels: 150}, ErrTooManyPixels},
		{"animated webp", riff(vp8x(webpAnimation, 8, 8), riffChunk("ANIM", make([]byte, 6))), Limits{}, ErrUnsupportedType},
		{"webp with only a header", riff(vp8x(0, 8, 8)), Limits{}, ErrCorrupt},
		{"file over the byte limit", jpg, Limits{MaxBytes: 1000}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, err := Check(t.Context(), bytes.NewReader(tt.data), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, %v; want %v", up, err, tt.want)

			}
			if Code(err) != tt.want.Code {
				t.Errorf("Code = %q, want %q", Code(err), tt.want.Code)
			}
		})
	}
}

func TestCheckAccepts(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	for i := range transparent.Pix {
		transparent.Pix[i] = uint8(i)
	}
	tests := []struct {
		name          string
		data          []byte
		format        Format
		width, height int
		frames        int
	}{
		{"jpeg", encodeJPEG(t, photo(64, 48)), JPEG, 64, 48, 1},
		{"png with alpha", encodePNG(t, transparent), PNG, 30, 20, 1},
		{"animated gif", animatedGIF(t, 12, 10, 3), GIF, 12, 10, 3},
		{"gif whose first frame is smaller than the canvas", offsetGIF(t), GIF, 20, 16, 2},
		{"webp", encodeWebP(t, photo(40, 30)), WebP, 40, 30, 1},
		{"jpeg turned a quarter by exif", insertAfterSOI(encodeJPEG(t, photo(64, 48)), exifBlock(6)), JPEG, 48, 64, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, err := Check(t.Context(), bytes.NewReader(tt.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if up.Format != tt.format || up.Width != tt.width || up.Height != tt.height || up.Frames != tt.frames {
				t.Errorf("got %s %d×%d %d frames, want %s %d×%d %d", up.Format, up.Width, up.Height, up.Frames, tt.format, tt.width, tt.height, tt.frames)
			}
			if len(up.SHA256) != 64 {
				t.Errorf("SHA256 = %q", up.SHA256)
			}
			// What is stored passes the same check and comes out unchanged.
			again, err := Check(t.Context(), bytes.NewReader(up.Data), Limits{})
			if err != nil {
				t.Fatalf("stored file refused: %v", err)
			}
			if !bytes.Equal(again.Data, up.Data) || again.Width != up.Width || again.Height != up.Height {
				t.Errorf("a second check changed the file")
			}
		})
	}
}

// endless yields a prefix and then zeros until n bytes, counting what is read.
type endless struct {
	prefix  []byte
	n, read int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), e.n-e.read)]
	for i := range p {
		p[i] = 0
		if off := e.read + int64(i); off < int64(len(e.prefix)) {
			p[i] = e.prefix[off]
		}
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestCheckHugeUploads(t *testing.T) {
	const size = 200 << 20
	tests := []struct {
		name     string
		prefix   []byte
		want     *Error
		maxRead  int64
		lim      Limits
		maxAlloc uint64
	}{
		// An image header that passes, then 200 MB: read up to the limit only.
		{"200 MB behind a valid header", pngHeader(1000, 1000), ErrTooLarge, DefaultLimits.MaxBytes + 64<<10, Limits{}, uint64(DefaultLimits.MaxBytes) + 1<<20},
		// Not an image: refused after the first bytes.
		{"200 MB of zeros", nil, ErrUnsupportedType, 64 << 10, Limits{}, 1 << 20},
		// Too many pixels: refused after the header.
		{"200 MB behind a huge header", pngHeader(30000, 30000), ErrTooManyPixels, 64 << 10, Limits{}, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &endless{prefix: tt.prefix, n: size}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Check(t.Context(), r, tt.lim)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if r.read > tt.maxRead {
				t.Errorf("read %d bytes, want at most %d", r.read, tt.maxRead)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > tt.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", a, tt.maxAlloc)
			}
		})
	}
}

func TestCheckStripsJPEGMetadata(t *testing.T) {
	src := encodeJPEG(t, photo(64, 48))
	icc := segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte{7}, 32)...))
	xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><photoshop:City>Aleppo</photoshop:City></x:xmpmeta>"))
	iptc := segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04 byline: Spy"))
	comment := segment(0xFE, []byte("shot at the safe house"))
	trailer := []byte("PK\x03\x04secret.zip")
	private := []string{"Exif", "GPS", "SpyCam", "xmpmeta", "Aleppo", "Photoshop", "8BIM", "safe house", "secret.zip"}

	for _, o := range []int{1, 6} {
		data := append(insertAfterSOI(src, exifBlock(o), icc, xmp, iptc, comment), trailer...)
		up, err := Check(t.Context(), bytes.NewReader(data), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out := up.Data
		for _, s := range private {
			if s == "Exif" && o != 1 {
				continue // the orientation block, checked below
			}
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("orientation %d: %q survived", o, s)
			}
		}
		if o == 6 {
			if !bytes.Contains(out, orientationExif(6)) || bytes.Count(out, []byte("Exif")) != 1 {
				t.Errorf("orientation 6: the minimal EXIF block is missing or not alone")
			}
			if exifOrientation(out[bytes.Index(out, []byte("Exif"))+6:]) != 6 {
				t.Errorf("the kept orientation does not read back")
			}
		}
		if !bytes.Contains(out, icc) {
			t.Errorf("orientation %d: the ICC profile was dropped", o)
		}
		// Lossless: the pixels are those of the source.
		a, _ := codecs[JPEG].decode(bytes.NewReader(src))
		if b, _ := codecs[JPEG].decode(bytes.NewReader(up.Data)); !sameImage(a, b) {
			t.Errorf("orientation %d: pixels changed", o)
		}
	}
}

func TestCheckStripsPNGMetadata(t *testing.T) {
	src := encodePNG(t, photo(16, 8))
	iend := len(src) - 12
	data := bytes.Join([][]byte{src[:iend],
		pngChunk("tEXt", []byte("Author\x00Spy")),
		pngChunk("eXIf", []byte("MM\x00*GPS")),
		pngChunk("tIME", []byte{7, 234, 11, 29, 12, 0, 0}),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta/>")),
		pngChunk("sRGB", []byte{0}),
		src[iend:], []byte("trailing"),
	}, nil)
	up, err := Check(t.Context(), bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"tEXt", "eXIf", "tIME", "iTXt", "Spy", "GPS", "xmp", "trailing"} {
		if bytes.Contains(up.Data, []byte(s)) {
			t.Errorf("%q survived", s)
		}
	}
	if !bytes.Contains(up.Data, pngChunk("sRGB", []byte{0})) {
		t.Errorf("sRGB was dropped")
	}
	a, _ := codecs[PNG].decode(bytes.NewReader(src))
	if b, _ := codecs[PNG].decode(bytes.NewReader(up.Data)); !sameImage(a, b) {
		t.Errorf("pixels changed")
	}
}

func TestCheckStripsGIFMetadata(t *testing.T) {
	src := animatedGIF(t, 6, 4, 2)
	gct := 13 + colorTable(src[10])
	comment := []byte{0x21, 0xFE, 5, 'h', 'e', 'l', 'l', 'o', 0}
	xmp := append([]byte{0x21, 0xFF, 11}, "XMP DataXMP"...)
	xmp = append(xmp, 4, 'S', 'p', 'y', '!', 0)
	data := append(append(append(bytes.Clone(src[:gct]), comment...), xmp...), src[gct:]...)
	up, err := Check(t.Context(), bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hello", "XMP", "Spy!"} {
		if bytes.Contains(up.Data, []byte(s)) {
			t.Errorf("%q survived", s)
		}
	}
	if !bytes.Contains(up.Data, []byte("NETSCAPE2.0")) {
		t.Errorf("the looping extension was dropped")
	}
	if up.Frames != 2 {
		t.Errorf("Frames = %d", up.Frames)
	}
}

func TestCheckStripsWebPMetadata(t *testing.T) {
	simple := encodeWebP(t, photo(16, 8))
	// The encoder writes the simple format: RIFF header, then one VP8 chunk.
	vp8 := simple[12:]
	data := riff(vp8x(webpEXIF|webpXMP, 16, 8), vp8, riffChunk("EXIF", []byte("MM\x00*GPS")), riffChunk("XMP ", []byte("<x:xmpmeta>Spy</x:xmpmeta>")))
	up, err := Check(t.Context(), bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"EXIF", "GPS", "XMP", "Spy"} {
		if bytes.Contains(up.Data, []byte(s)) {
			t.Errorf("%q survived", s)
		}
	}
	if want := riff(vp8x(0, 16, 8), vp8); !bytes.Equal(up.Data, want) {
		t.Errorf("stripped file is not the header and VP8 chunk alone")
	}
}

func TestExifOrientationIgnoresJunk(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("II*\x00"), []byte("XX*\x00\x08\x00\x00\x00"), []byte("MM\x00*\xff\xff\xff\xff"), []byte("II*\x00\x08\x00\x00\x00\xff\xff")} {
		if o := exifOrientation(b); o != 1 {
			t.Errorf("exifOrientation(%q) = %d", b, o)
		}
	}
}

func TestCodeOfOtherErrors(t *testing.T) {
	if c := Code(io.ErrUnexpectedEOF); c != "" {
		t.Errorf("Code(io error) = %q", c)
	}
	if !strings.Contains(refuse(ErrCorrupt, "why").Error(), "corrupt: why") {
		t.Errorf("detail missing from the message")
	}
}
