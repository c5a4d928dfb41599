package media

import (
	"image"
	"image/color"

	"golang.org/x/sync/semaphore"
)

// decodeBudget bounds the memory that decoded pictures hold at once in
// this process, whoever decodes them: uploads, the jobs that make sizes,
// imports and icons. Six 7000×7000 PNGs uploaded at once (160 KB each,
// 200 MB decoded) took a server from 221 MB to 1.3 GB while they were
// checked and sized. 512 MB lets about seven phone photos of 12
// megapixels be decoded at once, or one picture at the pixel limit with
// its sizes; the rest wait their turn, having been read already.
const decodeBudget = 512 << 20

var decoding = semaphore.NewWeighted(decodeBudget)

// decodeCost estimates the bytes that checking a picture and making its
// sizes hold at once: the decoded pixels (twice for an interlaced PNG,
// which is decoded in passes); the working copies for the widest size, as
// many bytes again for JPEG and grey pictures, resized in their own
// planes, and for the rest an RGBA copy and the rows of the first resize
// (5 bytes a pixel: 437 MB measured at 7000×7000); and the file twice, as
// read and without its metadata. No picture costs more than the whole
// budget, so the largest can always be decoded, alone.
func decodeCost(f Format, cfg image.Config, data []byte) int64 {
	decoded, working := bytesPerPixel(f, cfg.ColorModel), int64(5)
	if cfg.ColorModel == color.YCbCrModel || cfg.ColorModel == color.GrayModel {
		working = decoded
	}
	if f == PNG && len(data) > pngInterlace && data[pngInterlace] == 1 {
		decoded *= 2
	}
	c := int64(cfg.Width)*int64(cfg.Height)*(decoded+working) + 2*int64(len(data))
	return min(c, decodeBudget)
}

// pngInterlace is where a PNG's IHDR chunk, first in the file, says
// whether the picture is interlaced.
const pngInterlace = 8 + 8 + 12

// bytesPerPixel is what the standard decoders allocate for a pixel of
// model.
func bytesPerPixel(f Format, model color.Model) int64 {
	switch model {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel:
		return 3 // no chroma subsampling; most JPEGs take half that
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := model.(color.Palette); ok {
		if f == GIF {
			return 5 // and the first frame drawn on an RGBA canvas
		}
		return 1
	}
	return 4
}
