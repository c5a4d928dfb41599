package media

import (
	"compress/lzw"
	"encoding/binary"
	"fmt"
	"io"
)

// stripGIF walks every block of a GIF, checking each frame (inside the
// canvas, pixel data that decompresses to exactly its size) within lim, and
// copies it without comments and application extensions other than the
// looping one. It returns the number of frames. The standard decoder reads
// only the first frame, so this walk is what checks the others.
func stripGIF(data []byte, lim Limits) ([]byte, int, error) {
	corrupt := func(what string) ([]byte, int, error) { return nil, 0, refuse(ErrCorrupt, "gif: "+what) }
	const header = 13 // signature, version, logical screen descriptor
	if len(data) < header {
		return corrupt("too short")
	}
	screenW, screenH := int(binary.LittleEndian.Uint16(data[6:])), int(binary.LittleEndian.Uint16(data[8:]))
	pos := header + colorTable(data[10])
	if pos > len(data) {
		return corrupt("truncated colour table")
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:pos]...)
	frames, pixels := 0, int64(0)
	for pos < len(data) {
		switch data[pos] {
		case 0x3B: // trailer
			pos = len(data)
		case 0x21: // extension
			if pos+2 > len(data) {
				return corrupt("truncated extension")
			}
			end, err := skipSubBlocks(data, pos+2)
			if err != nil {
				return corrupt(err.Error())
			}
			if keepGIFExtension(data[pos+1], data[pos+2:end]) {
				out = append(out, data[pos:end]...)
			}
			pos = end
		case 0x2C: // image descriptor
			if pos+10 > len(data) {
				return corrupt("truncated image descriptor")
			}
			d := data[pos+1:]
			x, y := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			w, h := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			if x+w > screenW || y+h > screenH {
				return corrupt(fmt.Sprintf("frame %d at %d,%d of %d×%d outside the %d×%d canvas", frames+1, x, y, w, h, screenW, screenH))
			}
			if frames++; frames > lim.MaxFrames {
				return nil, 0, refuse(ErrTooManyPixels, fmt.Sprintf("more than %d frames", lim.MaxFrames))
			}
			if pixels += int64(w) * int64(h); pixels > lim.MaxAnimationPixels {
				return nil, 0, refuse(ErrTooManyPixels, fmt.Sprintf("frames hold more than %d pixels", lim.MaxAnimationPixels))
			}
			lzwAt := pos + 10 + colorTable(d[8])
			if lzwAt+1 > len(data) {
				return corrupt("truncated frame")
			}
			end, err := skipSubBlocks(data, lzwAt+1)
			if err != nil {
				return corrupt(err.Error())
			}
			if err := checkLZW(data[lzwAt], data[lzwAt+1:end], w*h); err != nil {
				return corrupt(fmt.Sprintf("frame %d: %v", frames, err))
			}
			out = append(out, data[pos:end]...)
			pos = end
		default:
			return corrupt(fmt.Sprintf("unknown block 0x%02x", data[pos]))
		}
	}
	if frames == 0 {
		return corrupt("no frame")
	}
	// A missing trailer is common and harmless; the copy always has one.
	return append(out, 0x3B), frames, nil
}

// colorTable is the size of the colour table that flags announce.
func colorTable(flags byte) int {
	if flags&0x80 == 0 {
		return 0
	}
	return 3 << (flags&7 + 1)
}

// keepGIFExtension keeps what draws or times the image: graphic control,
// plain text and the NETSCAPE/ANIMEXTS looping extension; it drops comments
// and other application data (XMP among them).
func keepGIFExtension(label byte, blocks []byte) bool {
	switch label {
	case 0xF9, 0x01:
		return true
	case 0xFF:
		return len(blocks) >= 12 && blocks[0] == 11 &&
			(string(blocks[1:12]) == "NETSCAPE2.0" || string(blocks[1:12]) == "ANIMEXTS1.0")
	}
	return false
}

// skipSubBlocks returns the index after the chain of sub-blocks at pos,
// which ends with an empty block.
func skipSubBlocks(data []byte, pos int) (int, error) {
	for {
		if pos >= len(data) {
			return 0, fmt.Errorf("truncated data sub-blocks")
		}
		n := int(data[pos])
		pos += 1 + n
		if n == 0 {
			return pos, nil
		}
	}
}

// checkLZW decompresses one frame's pixels without keeping them, as the
// standard decoder would (same tolerance of a missing end code).
func checkLZW(litWidth byte, blocks []byte, pixels int) error {
	if litWidth < 2 || litWidth > 8 {
		return fmt.Errorf("bad LZW code size %d", litWidth)
	}
	lr := lzw.NewReader(&subBlockReader{b: blocks}, lzw.LSB, int(litWidth))
	defer lr.Close()
	if n, err := io.CopyN(io.Discard, lr, int64(pixels)); err != nil {
		return fmt.Errorf("not enough pixel data (%d of %d): %w", n, pixels, err)
	}
	var one [1]byte
	if n, err := lr.Read(one[:]); n != 0 || err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("too much pixel data")
	}
	return nil
}

// subBlockReader yields the payload of a chain of GIF sub-blocks.
type subBlockReader struct {
	b    []byte
	left int // bytes left in the current sub-block
}

func (r *subBlockReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		if len(r.b) == 0 || r.b[0] == 0 {
			return 0, io.EOF
		}
		r.left, r.b = int(r.b[0]), r.b[1:]
	}
	n := copy(p, r.b[:min(r.left, len(r.b))])
	if n == 0 && len(p) > 0 {
		return 0, io.ErrUnexpectedEOF
	}
	r.b, r.left = r.b[n:], r.left-n
	return n, nil
}
