package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// JPEG markers this file acts on.
const (
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mRST0  = 0xD0
	mRST7  = 0xD7
	mTEM   = 0x01
	mAPP0  = 0xE0
	mAPP1  = 0xE1
	mAPP2  = 0xE2
	mAPP14 = 0xEE
	mAPP15 = 0xEF
	mCOM   = 0xFE
)

// maxScans refuses progressive JPEGs made of thousands of scans: each scan
// walks the whole image, so they cost CPU far beyond their size. Encoders
// write about ten.
const maxScans = 150

// stripJPEG copies a JPEG without its metadata: APPn segments other than the
// ICC colour profile (APP2) and Adobe's colour transform (APP14), comments,
// stray bytes between segments and anything after the end-of-image marker
// (where MPF depth maps and appended archives live). The EXIF orientation is
// returned and, when not upright, written back as an EXIF block of its own.
func stripJPEG(data []byte) ([]byte, int, error) {
	corrupt := func(what string) ([]byte, int, error) { return nil, 0, refuse(ErrCorrupt, "jpeg: "+what) }
	if len(data) < 2 || data[0] != 0xFF || data[1] != mSOI {
		return corrupt("missing SOI")
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, mSOI)
	orientation, sawExif, scans := 1, false, 0
	pos := 2
	for {
		for pos < len(data) && data[pos] != 0xFF {
			pos++ // stray bytes between segments, which decoders skip
		}
		if pos+1 >= len(data) {
			return corrupt("missing EOI")
		}
		m := data[pos+1]
		if m == 0 || m == 0xFF {
			pos++ // a stray 0xFF00, or fill bytes before a marker
			continue
		}
		pos += 2
		switch {
		case m == mEOI:
			out = append(out, 0xFF, mEOI)
			return out, orientation, nil
		case m == mSOI:
			return corrupt("second SOI")
		case m == mTEM || mRST0 <= m && m <= mRST7:
			out = append(out, 0xFF, m)
			continue
		}
		if pos+2 > len(data) {
			return corrupt("truncated segment")
		}
		end := pos + int(binary.BigEndian.Uint16(data[pos:]))
		if end < pos+2 || end > len(data) {
			return corrupt("bad segment length")
		}
		seg, payload := data[pos-2:end], data[pos+2:end]
		pos = end
		switch {
		case m == mAPP1:
			if !sawExif && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
				sawExif = true
				orientation = exifOrientation(payload[6:])
				if orientation != 1 {
					out = append(out, orientationExif(orientation)...)
				}
			}
		case m == mAPP2 && bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")),
			m == mAPP14 && bytes.HasPrefix(payload, []byte("Adobe")):
			out = append(out, seg...)
		case mAPP0 <= m && m <= mAPP15, m == mCOM:
			// dropped
		case m == mSOS:
			if scans++; scans > maxScans {
				return corrupt(fmt.Sprintf("more than %d scans", maxScans))
			}
			out = append(out, seg...)
			ecs := pos
			for {
				i := bytes.IndexByte(data[pos:], 0xFF)
				if i < 0 || pos+i+1 >= len(data) {
					return corrupt("truncated scan")
				}
				pos += i
				if n := data[pos+1]; n == 0 || mRST0 <= n && n <= mRST7 || n == 0xFF {
					pos++
					continue
				}
				break
			}
			out = append(out, data[ecs:pos]...)
		default:
			out = append(out, seg...)
		}
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF structure, the body
// of an EXIF block. Anything unreadable counts as upright.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || ifd < 8 || ifd > len(t)-2 {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			break
		}
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(t[e:]) == tagOrientation && bo.Uint16(t[e+2:]) == typeShort && bo.Uint32(t[e+4:]) == 1 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orientationExif is an APP1 segment whose EXIF block holds one tag,
// the orientation: a big-endian TIFF header and an IFD0 of one entry.
func orientationExif(o int) []byte {
	return []byte{
		0xFF, mAPP1, 0, 34,
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 42, 0, 0, 0, 8, // byte order, magic, offset of IFD0
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation, SHORT, count 1, value
		0, 0, 0, 0, // no next IFD
	}
}
