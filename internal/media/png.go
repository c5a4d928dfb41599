package media

import (
	"encoding/binary"
	"fmt"
)

// pngKeep are the chunks needed to draw a PNG as its author meant: the
// critical ones, transparency and colour. Text, EXIF (eXIf), times,
// APNG frames and private chunks go; an APNG becomes its still default image.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true, "cICP": true,
	"bKGD": true, "pHYs": true,
}

// stripPNG copies the chunks in pngKeep, up to IEND. Checksums are checked
// when the result is decoded.
func stripPNG(data []byte) ([]byte, error) {
	const sig = 8
	if len(data) < sig {
		return nil, refuse(ErrCorrupt, "png: too short")
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:sig]...)
	for pos := sig; ; {
		if pos+8 > len(data) {
			return nil, refuse(ErrCorrupt, "png: missing IEND")
		}
		n := int64(binary.BigEndian.Uint32(data[pos:]))
		typ := string(data[pos+4 : pos+8])
		end := int64(pos) + 12 + n
		if end > int64(len(data)) {
			return nil, refuse(ErrCorrupt, fmt.Sprintf("png: chunk %q overruns the file", typ))
		}
		if pngKeep[typ] {
			out = append(out, data[pos:end]...)
		}
		pos = int(end)
		if typ == "IEND" {
			return out, nil
		}
	}
}
