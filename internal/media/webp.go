package media

import (
	"encoding/binary"
	"fmt"
)

// VP8X flags.
const (
	webpAnimation = 1 << 1
	webpXMP       = 1 << 2
	webpEXIF      = 1 << 3
)

// stripWebP copies the chunks that draw a still WebP (VP8X, ICCP, ALPH,
// VP8, VP8L) into a new RIFF container, clearing the metadata flags. An
// animated WebP is refused: the decoder draws stills only, and an animation
// is better uploaded as GIF.
func stripWebP(data []byte) ([]byte, error) {
	corrupt := func(what string) ([]byte, error) { return nil, refuse(ErrCorrupt, "webp: "+what) }
	if len(data) < 12 {
		return corrupt("too short")
	}
	end := 8 + int64(binary.LittleEndian.Uint32(data[4:]))
	if end > int64(len(data)) || end < 12 {
		return corrupt("bad RIFF size")
	}
	body := data[12:end]
	out := make([]byte, 0, end)
	out = append(out, "RIFF\x00\x00\x00\x00WEBP"...)
	vp8x := -1
	for pos := 0; pos < len(body); {
		if pos+8 > len(body) {
			return corrupt("truncated chunk")
		}
		id := string(body[pos : pos+4])
		n := int64(binary.LittleEndian.Uint32(body[pos+4:]))
		next := int64(pos) + 8 + n
		if next > int64(len(body)) {
			return corrupt(fmt.Sprintf("chunk %q overruns the file", id))
		}
		chunk := body[pos:next]
		pos = int(min(next+n&1, int64(len(body))))
		switch id {
		case "ANIM", "ANMF":
			return nil, refuse(ErrUnsupportedType, "animated webp")
		case "VP8X":
			if n < 10 {
				return corrupt("short VP8X")
			}
			if chunk[8]&webpAnimation != 0 {
				return nil, refuse(ErrUnsupportedType, "animated webp")
			}
			vp8x = len(out)
		case "ICCP", "ALPH", "VP8 ", "VP8L":
		default:
			continue
		}
		out = append(out, chunk...)
		if n&1 == 1 {
			out = append(out, 0)
		}
	}
	if vp8x >= 0 {
		out[vp8x+8] &^= webpEXIF | webpXMP
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
