package site

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"khabar/internal/analytics"
	"khabar/internal/render"
	"khabar/internal/web"
)

// BeaconPath is where the counting beacon (static/count.js) reports a
// page view, behind a CDN.
const BeaconPath = "/count"

const (
	// maxBeacon is the most a beacon's body may hold: a path and a
	// referrer, each far shorter in any real browser.
	maxBeacon = 4 << 10
	// maxBeaconURL bounds the path and the referrer each.
	maxBeaconURL = 2048
	// A reader opens a page now and then; an address (an office, a
	// carrier's NAT) may hold many readers, so the budget is generous:
	// 120 views at once, then two a second.
	beaconBurst = 120
	beaconEvery = 500 * time.Millisecond
)

// beaconKey marks a request the beacon made up for the page it reports.
type beaconKey struct{}

// count counts a view of a page served in full, if it is one counted
// (it carries an analytics.Page) and counted here: as served without a
// CDN, by the beacon's made-up request behind one.
func (s *Site) count(r *http.Request, p *render.Page) {
	if s.counter == nil || r.Method != http.MethodGet {
		return
	}
	page, ok := p.Meta.(analytics.Page)
	if !ok || s.beacon != (r.Context().Value(beaconKey{}) != nil) {
		return
	}
	s.counter.Count(r, page)
}

// beaconReport is the body count.js sends.
type beaconReport struct {
	Page     string `json:"p"`
	Referrer string `json:"r"`
}

// countBeacon is POST /count: a page view reported by the page itself.
// The page is looked up as a request for it would be (from the page
// cache, rendered on a miss), so only a page the site serves counts, as
// what it is; anything else is refused with a 4xx, never counted.
func (s *Site) countBeacon(w http.ResponseWriter, r *http.Request) {
	if !s.beaconLimit.Take(web.ClientIP(r)) {
		http.Error(w, "too many views from this address", http.StatusTooManyRequests)
		return
	}
	var rep beaconReport
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBeacon))
	if err := dec.Decode(&rep); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			http.Error(w, "the report is too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "the report is not JSON of the beacon's form", http.StatusBadRequest)
		return
	}
	if len(rep.Page) > maxBeaconURL || len(rep.Referrer) > maxBeaconURL {
		http.Error(w, "the page or referrer is too long", http.StatusBadRequest)
		return
	}
	// location.pathname, as the browser escapes it.
	path, err := url.PathUnescape(rep.Page)
	if err != nil {
		http.Error(w, "the page is not a path", http.StatusBadRequest)
		return
	}
	serve, slug, ok := s.beaconPage(path)
	if !ok {
		http.Error(w, "not a page that is counted", http.StatusNotFound)
		return
	}
	// The request the reader made, as the page saw it: the same address
	// and browser, the referrer the page had.
	page := r.Clone(context.WithValue(r.Context(), beaconKey{}, true))
	page.Method, page.Body, page.ContentLength = http.MethodGet, http.NoBody, 0
	page.URL.Path, page.URL.RawPath, page.URL.RawQuery = path, "", ""
	page.Header = http.Header{}
	for _, h := range []string{"User-Agent", "Dnt", "Sec-Gpc"} {
		if v := r.Header.Get(h); v != "" {
			page.Header.Set(h, v)
		}
	}
	if rep.Referrer != "" {
		page.Header.Set("Referer", rep.Referrer)
	}
	if slug != "" {
		page.SetPathValue("slug", slug)
	}
	rec := &statusOnly{header: http.Header{}}
	serve(rec, page)
	switch {
	case rec.status == http.StatusOK:
		w.WriteHeader(http.StatusNoContent)
	case rec.status >= 500:
		http.Error(w, "the page could not be read now", http.StatusServiceUnavailable)
	default:
		// A redirect, a withdrawn or unknown article: no page the
		// reader saw at that path.
		http.Error(w, "not a page that is counted", http.StatusNotFound)
	}
}

// beaconPage finds the handler of a counted page's path (and its slug):
// an article, the home page, a section, tag or author page.
func (s *Site) beaconPage(path string) (serve http.HandlerFunc, slug string, ok bool) {
	if path == "/" {
		return s.home, "", true
	}
	if rest, ok := strings.CutPrefix(path, "/news/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return func(w http.ResponseWriter, r *http.Request) { s.article(w, r, id) }, "", true
	}
	for prefix, h := range map[string]http.HandlerFunc{"/section/": s.section, "/tag/": s.tag, "/author/": s.author} {
		if slug, ok := strings.CutPrefix(path, prefix); ok && slug != "" && !strings.Contains(slug, "/") {
			return h, slug, true
		}
	}
	return nil, "", false
}

// statusOnly is the ResponseWriter of a beacon's made-up request: the
// page's status is all it keeps.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }

func (s *statusOnly) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
}

func (s *statusOnly) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}
