// Package metricstest reads metrics in tests as the text format prints
// them, so a test names a series exactly as an operator's query would.
package metricstest

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Parse reads the text format into series → value, a series written
// name{label="value",…} with its labels sorted by name.
func Parse(t testing.TB, text string) map[string]float64 {
	t.Helper()
	series := map[string]float64{}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("metrics: bad line %q", line)
		}
		series[line[:i]] = v
	}
	return series
}

// Collect gathers cs in a registry of their own, checked as strictly as
// client_golang can, and returns their series.
func Collect(t testing.TB, cs ...prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			t.Fatalf("metrics: %v", err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			t.Fatalf("metrics: %v", err)
		}
	}
	return Parse(t, buf.String())
}
