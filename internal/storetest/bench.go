package storetest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// CorpusDoc is an article of the shared Arabic news corpus.
type CorpusDoc struct{ Title, Body string }

// Corpus reads the shared Arabic news corpus (bench/search.sh's), beside
// the repository, as seen from a package two levels down (internal/x);
// without it the benchmark is skipped.
func Corpus(b *testing.B) []CorpusDoc {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", "arabic-news.jsonl"))
	if err != nil {
		b.Skipf("the benchmark needs the corpus: %v", err)
	}
	defer f.Close()
	var docs []CorpusDoc
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var d CorpusDoc
		if json.Unmarshal(sc.Bytes(), &d) == nil && d.Title != "" {
			docs = append(docs, d)
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return docs
}

// Percentile is the p-th (0 to 1) of took in milliseconds; it sorts took.
func Percentile(took []time.Duration, p float64) float64 {
	slices.Sort(took)
	return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000
}

// ReportLatency reports took's p50, p95 and slowest as the benchmark's
// metrics.
func ReportLatency(b *testing.B, took []time.Duration) {
	b.ReportMetric(Percentile(took, 0.50), "p50-ms")
	b.ReportMetric(Percentile(took, 0.95), "p95-ms")
	b.ReportMetric(Percentile(took, 1), "max-ms")
}
