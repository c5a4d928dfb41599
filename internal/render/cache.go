package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/singleflight"
)

// Page is a rendered response kept as bytes. Compressed variants are made
// once, on the first request that accepts them, and kept.
type Page struct {
	Status       int
	ContentType  string
	Body         []byte
	Tags         []string
	CacheControl string
	// Path is the canonical request path (decoded); a request for the same
	// key under another path is redirected to Location.
	Path     string
	Location string
	// LastModified, when set, is sent and honoured in If-Modified-Since
	// (feed readers poll with it).
	LastModified time.Time
	// Expires, when set, drops the page from the cache at that time (a
	// ticker item running out, say).
	Expires time.Time
	// Meta is the surface's own note about the page, kept with it and
	// read on every hit (the site's: what a view of it counts as).
	Meta any

	gzOnce   sync.Once
	gz       []byte
	brOnce   sync.Once
	br       []byte
	hdrType  []string
	hdrCC    []string
	hdrSK    []string
	hdrCT    []string // Cache-Tag, when the cache says so
	hdrVary  []string
	hdrLM    []string
	etags    [3][]string // identity, gzip, br
	lengths  [3][]string
	encNames [3][]string
}

var varyAcceptEncoding = []string{"Accept-Encoding"}

// seal computes what every hit needs, so serving a hit allocates nothing.
func (p *Page) seal() {
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	sum := sha256.Sum256(p.Body)
	etag := base64.RawURLEncoding.EncodeToString(sum[:12])
	p.hdrType = []string{p.ContentType}
	p.hdrCC = []string{p.CacheControl}
	p.hdrSK = []string{strings.Join(p.Tags, " ")}
	p.hdrVary = varyAcceptEncoding
	if !p.LastModified.IsZero() {
		p.hdrLM = []string{p.LastModified.UTC().Format(http.TimeFormat)}
	}
	for i, suffix := range []string{"", "-gz", "-br"} {
		p.etags[i] = []string{`"` + etag + suffix + `"`}
	}
	p.lengths[encIdentity] = []string{strconv.Itoa(len(p.Body))}
	p.encNames[encGzip] = []string{"gzip"}
	p.encNames[encBrotli] = []string{"br"}
}

const (
	encIdentity = iota
	encGzip
	encBrotli
)

func (p *Page) variant(enc int) []byte {
	switch enc {
	case encGzip:
		p.gzOnce.Do(func() {
			var buf bytes.Buffer
			w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			w.Write(p.Body)
			w.Close()
			p.gz = buf.Bytes()
			p.lengths[encGzip] = []string{strconv.Itoa(len(p.gz))}
		})
		return p.gz
	case encBrotli:
		p.brOnce.Do(func() {
			var buf bytes.Buffer
			w := brotli.NewWriterLevel(&buf, 9)
			w.Write(p.Body)
			w.Close()
			p.br = buf.Bytes()
			p.lengths[encBrotli] = []string{strconv.Itoa(len(p.br))}
		})
		return p.br
	}
	return p.Body
}

// Serve writes the page, honouring If-None-Match and Accept-Encoding.
// Header keys are assigned in canonical form directly: this is the hot path.
func (p *Page) Serve(w http.ResponseWriter, r *http.Request) {
	enc := encIdentity
	if len(p.Body) > 512 {
		enc = chooseEncoding(r.Header["Accept-Encoding"])
	}
	h := w.Header()
	h["Content-Type"] = p.hdrType
	h["Vary"] = p.hdrVary
	h["Etag"] = p.etags[enc]
	if p.CacheControl != "" {
		h["Cache-Control"] = p.hdrCC
	}
	if len(p.Tags) > 0 {
		h["Surrogate-Key"] = p.hdrSK
		if p.hdrCT != nil {
			h["Cache-Tag"] = p.hdrCT
		}
	}
	if p.hdrLM != nil {
		h["Last-Modified"] = p.hdrLM
	}
	if p.Status == http.StatusOK && p.notModified(r) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.variant(enc)
	if enc != encIdentity {
		h["Content-Encoding"] = p.encNames[enc]
	}
	h["Content-Length"] = p.lengths[enc]
	w.WriteHeader(p.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified applies RFC 9110's order: If-None-Match when present, else
// If-Modified-Since (at one-second precision, as the header has).
func (p *Page) notModified(r *http.Request) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		return p.matches(inm)
	}
	if p.hdrLM == nil {
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !p.LastModified.Truncate(time.Second).After(t)
}

// matches compares If-None-Match with any of the page's representations:
// a client holding the gzip variant still has current content.
func (p *Page) matches(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) == "*" {
			return true
		}
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			for i := range p.etags {
				if tag == p.etags[i][0] {
					return true
				}
			}
		}
	}
	return false
}

// chooseEncoding picks br, then gzip, from Accept-Encoding, honouring q=0.
func chooseEncoding(values []string) int {
	best := encIdentity
	for _, v := range values {
		for len(v) > 0 {
			var part string
			part, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			if q := strings.TrimSpace(params); q != "" {
				q = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(q, "q=")), "Q=")
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					continue
				}
			}
			switch {
			case strings.EqualFold(name, "br"):
				return encBrotli
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				best = encGzip
			}
		}
	}
	return best
}

// Cache keeps rendered pages by key and drops them by tag. A page rendered
// while an invalidation ran is served but not kept, so a stale render can
// never outlive the event that made it stale.
type Cache struct {
	max int
	// CacheTags adds a Cache-Tag header (the tags, comma-separated) to
	// the pages it renders: Cloudflare reads its keys there, not in
	// Surrogate-Key. Set it before the first page.
	CacheTags bool

	mu    sync.RWMutex
	pages map[string]*Page
	byTag map[string]map[string]struct{}
	gen   uint64

	group singleflight.Group
	now   func() time.Time

	// For the metrics: atomic, since hits happen under no lock.
	hits, misses, evictions atomic.Uint64
	bytes                   int64 // bodies held; under mu
}

// NewCache makes a cache holding at most max pages (0 disables caching).
func NewCache(max int) *Cache {
	return &Cache{max: max, pages: map[string]*Page{}, byTag: map[string]map[string]struct{}{}, now: time.Now}
}

// Get returns a live cached page or nil.
func (c *Cache) Get(key string) *Page {
	p := c.lookup(key)
	if p != nil {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return p
}

func (c *Cache) lookup(key string) *Page {
	c.mu.RLock()
	p := c.pages[key]
	c.mu.RUnlock()
	if p != nil && !p.Expires.IsZero() && !c.now().Before(p.Expires) {
		c.drop(key)
		return nil
	}
	return p
}

// Fill returns the cached page for key, rendering it with render on a
// miss. Concurrent misses for one key render once.
func (c *Cache) Fill(key string, render func() (*Page, error)) (*Page, error) {
	if p := c.Get(key); p != nil {
		return p, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		if p := c.lookup(key); p != nil {
			return p, nil
		}
		c.mu.RLock()
		gen := c.gen
		c.mu.RUnlock()
		p, err := render()
		if err != nil {
			return nil, err
		}
		p.seal()
		if c.CacheTags && len(p.Tags) > 0 {
			p.hdrCT = []string{strings.Join(p.Tags, ",")}
		}
		if p.Status == http.StatusOK && c.max > 0 {
			c.put(key, p, gen)
		}
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Page), nil
}

func (c *Cache) put(key string, p *Page, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return // invalidated while rendering
	}
	c.dropLocked(key) // a page rendered again replaces the old one
	if len(c.pages) >= c.max {
		for k := range c.pages { // evict an arbitrary page: cheap and good enough
			c.dropLocked(k)
			c.evictions.Add(1)
			break
		}
	}
	c.pages[key] = p
	c.bytes += int64(len(p.Body))
	for _, t := range p.Tags {
		set := c.byTag[t]
		if set == nil {
			set = map[string]struct{}{}
			c.byTag[t] = set
		}
		set[key] = struct{}{}
	}
}

func (c *Cache) drop(key string) {
	c.mu.Lock()
	c.dropLocked(key)
	c.mu.Unlock()
}

func (c *Cache) dropLocked(key string) {
	p := c.pages[key]
	if p == nil {
		return
	}
	delete(c.pages, key)
	c.bytes -= int64(len(p.Body))
	for _, t := range p.Tags {
		if set := c.byTag[t]; set != nil {
			delete(set, key)
			if len(set) == 0 {
				delete(c.byTag, t)
			}
		}
	}
}

// Invalidate drops every page carrying any of the tags.
func (c *Cache) Invalidate(tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, t := range tags {
		for key := range c.byTag[t] {
			c.dropLocked(key)
		}
	}
}

// Purge drops everything.
func (c *Cache) Purge() {
	c.mu.Lock()
	c.gen++
	c.pages = map[string]*Page{}
	c.byTag = map[string]map[string]struct{}{}
	c.bytes = 0
	c.mu.Unlock()
}

// Len is the number of cached pages.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.pages)
}

// NewPage seals a page that is served without being cached (errors,
// previews), so it gets the same headers and ETag handling.
func NewPage(status int, contentType string, body []byte, cacheControl string) *Page {
	p := &Page{Status: status, ContentType: contentType, Body: body, CacheControl: cacheControl}
	p.seal()
	return p
}
