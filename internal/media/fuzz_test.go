package media

import (
	"bytes"
	"testing"
)

// FuzzCheck: no input panics; every refusal carries a code (a reader in
// memory never fails, so no other error is possible); and what is accepted
// is accepted again unchanged, since it is what gets stored.
func FuzzCheck(f *testing.F) {
	jpg := encodeJPEG(f, photo(24, 16))
	f.Add(jpg)
	f.Add(insertAfterSOI(jpg, exifBlock(6), segment(0xFE, []byte("comment"))))
	f.Add(jpg[:len(jpg)-20])
	f.Add(encodePNG(f, photo(9, 5)))
	f.Add(pngHeader(30000, 30000))
	f.Add(animatedGIF(f, 5, 4, 2))
	f.Add(offsetGIF(f))
	f.Add(encodeWebP(f, photo(12, 8)))
	f.Add(riff(vp8x(webpEXIF, 12, 8), riffChunk("EXIF", []byte("II*\x00"))))
	f.Add([]byte("<svg><script>alert(1)</script></svg>"))
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096, MaxFrames: 50, MaxAnimationPixels: 1 << 22}
	f.Fuzz(func(t *testing.T, data []byte) {
		up, err := Check(t.Context(), bytes.NewReader(data), lim)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("uncoded refusal: %v", err)
			}
			return
		}
		again, err := Check(t.Context(), bytes.NewReader(up.Data), lim)
		if err != nil {
			t.Fatalf("stored file refused: %v", err)
		}
		if !bytes.Equal(again.Data, up.Data) || again.Width != up.Width || again.Height != up.Height || again.Frames != up.Frames {
			t.Fatalf("a second check changed the file")
		}
	})
}
