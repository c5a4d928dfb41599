package render

import "github.com/prometheus/client_golang/prometheus"

// Collectors are the page cache's metrics, read at scrape time from the
// counters Get and put keep.
func (c *Cache) Collectors() []prometheus.Collector {
	counter := func(name, help string, v func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) })
	}
	gauge := func(name, help string, v func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, v)
	}
	return []prometheus.Collector{
		counter("khabar_page_cache_hits_total", "Page cache lookups that found a live page.", c.hits.Load),
		counter("khabar_page_cache_misses_total", "Page cache lookups that found none (the page is rendered).", c.misses.Load),
		counter("khabar_page_cache_evictions_total", "Pages dropped to make room (not by invalidation).", c.evictions.Load),
		gauge("khabar_page_cache_bytes", "Bytes of page bodies held (uncompressed; compressed variants come on top).", func() float64 {
			c.mu.RLock()
			defer c.mu.RUnlock()
			return float64(c.bytes)
		}),
		gauge("khabar_page_cache_pages", "Pages held.", func() float64 { return float64(c.Len()) }),
	}
}
