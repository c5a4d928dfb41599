package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// bomb is a PNG of bombSide² black pixels in about 160 KB: a
// decompression bomb under the pixel limit. Each copy i has its own
// transparent colour (tRNS), so each is a different file with the same
// pixels to decode; their compressed pixels are made once.
var bombIDAT = sync.OnceValues(func() ([]byte, error) {
	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	row := make([]byte, 1+3*bombSide) // filter byte, then RGB
	for range bombSide {
		if _, err := zw.Write(row); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return pngChunk("IDAT", idat.Bytes()), nil
})

func bomb(t *testing.T, i int) []byte {
	idat, err := bombIDAT()
	if err != nil {
		t.Fatal(err)
	}
	ihdr := binary.BigEndian.AppendUint32(nil, bombSide)
	ihdr = binary.BigEndian.AppendUint32(ihdr, bombSide)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	trns := []byte{0, 0, 0, 0, byte(i >> 8), byte(i)}
	return bytes.Join([][]byte{[]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr), pngChunk("tRNS", trns), idat, pngChunk("IEND", nil)}, nil)
}

// heapInUse is what runtime.MemStats calls HeapInuse, read without
// stopping the world: bytes in spans holding objects, live or not yet
// swept, and the free space in those spans.
const bombSide = 7000

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// heapCeiling is how far the heap may grow while TestDecodingBudget's
// uploads run: the decoding budget, which bounds what the pictures
// decoded at once hold, and 64 MB for everything else, doubled because
// the collector (GOGC=100) lets the heap grow to twice what was live at
// its last cycle before it collects again.
const heapCeiling = 2 * (decodeBudget + 64<<20)

// TestDecodingBudget: ten 160 KB PNGs of 7000×7000 pixels (200 MB each
// decoded) uploaded at once, each checked as Library.Ingest does and
// sized as soon as it is stored, as the sizes job does, keep the heap
// within heapCeiling of where it started. The sizes are made at once too,
// more than one node's job queue would run: the bound must hold whoever
// decodes. Not parallel, so nothing else in the process moves the heap.
func TestDecodingBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes twenty 49-megapixel pictures, one after the other")
	}
	p, _ := processor(t)
	// One small size: decoding is what is measured, and encoding others
	// would only make the test slower.
	p.Widths = []int{320}
	uploads := make([][]byte, 10)
	for i := range uploads {
		uploads[i] = bomb(t, i)
	}
	runtime.GC()
	base := heapInUse()
	var peak uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, heapInUse())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	var g errgroup.Group
	for _, data := range uploads {
		g.Go(func() error {
			up, err := Check(t.Context(), bytes.NewReader(data), Limits{})
			if err != nil {
				return err
			}
			rec, err := p.Save(t.Context(), up)
			if err != nil {
				return err
			}
			_, err = p.Variants(t.Context(), rec.Key)
			return err
		})
	}
	err := g.Wait()
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("heap in use: %d MB at the start, %d MB at the peak", base>>20, peak>>20)
	if grew := peak - min(peak, base); grew > heapCeiling {
		t.Errorf("the heap grew by %d MB, more than the %d MB ceiling", grew>>20, heapCeiling>>20)
	}
}
