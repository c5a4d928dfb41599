package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/settings"
)

// The web app manifest and the outlet's icons: what a phone needs to keep
// the site on its home screen, from where (on iPhone) it may receive
// alerts. The icons are made from the library image the settings name, or
// drawn in the theme colour, on the first request after a change.

// iconFile is an icon the site serves at its root.
type iconFile struct {
	name    string
	spec    media.IconSpec
	purpose string // in the manifest; "" for one it does not list
}

var iconFiles = []iconFile{
	{"icon-192.png", media.IconSpec{Side: 192}, "any"},
	{"icon-512.png", media.IconSpec{Side: 512}, "any"},
	{"icon-maskable-192.png", media.IconSpec{Side: 192, Maskable: true, Opaque: true}, "maskable"},
	{"icon-maskable-512.png", media.IconSpec{Side: 512, Maskable: true, Opaque: true}, "maskable"},
	// iOS's home-screen icon, which it rounds itself and would show
	// black where it is transparent.
	{"apple-touch-icon.png", media.IconSpec{Side: 180, Opaque: true}, ""},
}

// iconsRevision changes with the way icons are made, so that URLs cached
// for ever (see iconVersion) name the new files.
const iconsRevision = "1"

// iconVersion names the icons made under st. Pages and the manifest link
// icons with it, so those links may be cached for ever.
func iconVersion(st settings.Settings) string {
	return iconsRevision + "-" + strconv.FormatInt(st.LogoMedia, 10) + "-" + strings.TrimPrefix(st.ThemeColor, "#")
}

// iconURL is the path of an icon as pages link it: {{icon "icon-192.png" .Site}}.
func iconURL(name string, st settings.Settings) string { return "/" + name + "?v=" + iconVersion(st) }

// iconSet is the icon files of one version.
type iconSet struct {
	version string
	files   map[string]iconData
}

type iconData struct {
	png  []byte
	etag string
}

// appRoutes registers the manifest and the icons.
func (s *Site) appRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /manifest.webmanifest", s.manifest)
	for _, f := range iconFiles {
		mux.HandleFunc("GET /"+f.name, func(w http.ResponseWriter, r *http.Request) { s.serveIcon(w, r, f.name) })
	}
}

// webManifest is the web app manifest (W3C Web Application Manifest).
type webManifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description,omitempty"`
	Lang            string         `json:"lang"`
	Dir             string         `json:"dir"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	ThemeColor      string         `json:"theme_color"`
	BackgroundColor string         `json:"background_color"`
	Categories      []string       `json:"categories"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

// appBackground is the ground of the pages (site.css's --bg), which the
// phone shows while the site opens from the home screen.
const appBackground = "#ffffff"

// manifest is GET /manifest.webmanifest, cached like a page: the settings'
// event purges it with the rest.
func (s *Site) manifest(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, r.URL.Path, func(context.Context) (*render.Page, error) {
		st := s.settings.Get()
		m := webManifest{ID: "/", Name: st.SiteName, ShortName: st.SiteName, Description: st.Tagline,
			// The catalogue speaks the outlet's language (settings.Live.Drive),
			// as the pages' lang and dir do.
			Lang: s.cat.Lang(), Dir: s.cat.Dir(),
			StartURL: "/", Scope: "/", Display: "standalone", ThemeColor: st.ThemeColor, BackgroundColor: appBackground,
			Categories: []string{"news"}}
		for _, f := range iconFiles {
			if f.purpose != "" {
				side := strconv.Itoa(f.spec.Side)
				m.Icons = append(m.Icons, manifestIcon{Src: iconURL(f.name, st), Sizes: side + "x" + side, Type: "image/png", Purpose: f.purpose})
			}
		}
		body, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("web app manifest: %w", err)
		}
		return &render.Page{ContentType: "application/manifest+json", Body: body, CacheControl: s.cc}, nil
	})
}

// serveIcon answers an icon file. At the version pages link to it is
// cached for ever; at any other URL, like a page.
func (s *Site) serveIcon(w http.ResponseWriter, r *http.Request, name string) {
	set, err := s.iconSet(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := set.files[name]
	cc := s.cc
	if r.URL.Query().Get("v") == set.version {
		cc = "public, max-age=31536000, immutable"
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", cc)
	h.Set("Etag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.png))
}

// iconSet is the icons of the current settings, made on the first request
// after a change. A reader who leaves does not stop the making, which
// others may be waiting for.
func (s *Site) iconSet(ctx context.Context) (*iconSet, error) {
	st := s.settings.Get()
	v := iconVersion(st)
	if set := s.icons.Load(); set != nil && set.version == v {
		return set, nil
	}
	s.iconsMu.Lock()
	defer s.iconsMu.Unlock()
	if set := s.icons.Load(); set != nil && set.version == v {
		return set, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
	defer cancel()
	logo, err := s.logo(ctx, st)
	if err != nil {
		return nil, err
	}
	theme, err := hex.DecodeString(strings.TrimPrefix(st.ThemeColor, "#"))
	if err != nil || len(theme) != 3 {
		return nil, fmt.Errorf("icons: theme colour %q", st.ThemeColor) // settings.FromMap keeps only good ones
	}
	specs := make([]media.IconSpec, len(iconFiles))
	for i, f := range iconFiles {
		specs[i] = f.spec
	}
	pngs, err := media.Icons(logo, color.RGBA{theme[0], theme[1], theme[2], 0xff}, specs)
	if err != nil {
		return nil, fmt.Errorf("icons, version %s: %w", v, err)
	}
	set := &iconSet{version: v, files: make(map[string]iconData, len(iconFiles))}
	for i, f := range iconFiles {
		sum := sha256.Sum256(pngs[i])
		set.files[f.name] = iconData{png: pngs[i], etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	}
	s.icons.Store(set)
	return set, nil
}

// logo is the settings' library image cut square for the icons, or nil
// for the drawn mark. The newsroom checked the image when it was chosen;
// one that has since gone, or does not read, gives the drawn mark (and a
// warning) rather than pages without icons, until the settings change.
func (s *Site) logo(ctx context.Context, st settings.Settings) (*image.RGBA, error) {
	if st.LogoMedia == 0 {
		return nil, nil
	}
	m, err := s.store.GetMedia(ctx, st.LogoMedia)
	if errors.Is(err, news.ErrNotFound) {
		s.log.WarnContext(ctx, "the logo is not in the library; drawing the icons", "media", st.LogoMedia)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("icons, logo: %w", err)
	}
	if err := media.Iconable(m); err != nil {
		s.log.WarnContext(ctx, "the logo cannot be an icon; drawing the icons", "media", m.ID, "err", err)
		return nil, nil
	}
	sq, err := media.Square(ctx, s.files, m.Path, media.IconMinSide)
	if media.Code(err) != "" || errors.Is(err, fs.ErrNotExist) || errors.Is(err, media.ErrBadKey) {
		s.log.WarnContext(ctx, "the logo's file does not read; drawing the icons", "media", m.ID, "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("icons, logo: %w", err)
	}
	return sq, nil
}
