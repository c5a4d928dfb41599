package site

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

type manifestJSON struct {
	ID, Name, Description, Lang, Dir, Display string
	ShortName                                 string `json:"short_name"`
	StartURL                                  string `json:"start_url"`
	Scope                                     string
	ThemeColor                                string `json:"theme_color"`
	BackgroundColor                           string `json:"background_color"`
	Icons                                     []struct{ Src, Sizes, Type, Purpose string }
}

// manifest reads the site's web app manifest, checking how it is served.
func (f *fixture) manifest(t *testing.T) manifestJSON {
	t.Helper()
	r := f.get("/manifest.webmanifest")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/manifest+json" || r.Header.Get("Cache-Control") != f.s.cc {
		t.Fatalf("manifest: %d, %q, %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}
	var m manifestJSON
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("manifest: %v in %s", err, r.Body)
	}
	return m
}

// icon fetches an icon and decodes it, checking that it is a PNG of side
// pixels.
func (f *fixture) icon(t *testing.T, path string, side int) *image.NRGBA {
	t.Helper()
	r := f.get(path)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("%s: %d %q", path, r.Status, r.Header.Get("Content-Type"))
	}
	img, err := png.Decode(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
		t.Fatalf("%s is %v, want %d×%d", path, b, side, side)
	}
	m := image.NewNRGBA(img.Bounds())
	draw.Draw(m, m.Rect, img, img.Bounds().Min, draw.Src)
	return m
}

func pixel(m *image.NRGBA, x, y int) color.NRGBA { return m.NRGBAAt(x, y) }

func hexRGB(s string) color.NRGBA {
	n, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return color.NRGBA{uint8(n >> 16), uint8(n >> 8), uint8(n), 0xff}
}

var headIcon = regexp.MustCompile(`<link rel="apple-touch-icon" href="([^"]+)">`)

func TestWebAppManifest(t *testing.T) { storetest.Each(t, testWebAppManifest) }

// testWebAppManifest: the manifest, the icons it lists and the pages'
// head follow the settings, once their event has come (until then the
// cached ones are served).
func testWebAppManifest(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	cases := []struct {
		name                 string
		lang, theme, tagline string
		wantLang, wantDir    string
		wantTheme            string
	}{
		{"the demo's", "", "", "أخبار عاجلة وتغطية مباشرة", "ar", "rtl", "#8c1c13"},
		{"in English, blue", "en", "#0b4f9c", "Breaking news", "en", "ltr", "#0b4f9c"},
		{"in Arabic, green", "ar", "#1a7f3c", "", "ar", "rtl", "#1a7f3c"},
	}
	var before manifestJSON
	for i, c := range cases {
		if i > 0 {
			cached := f.get("/manifest.webmanifest").Body
			if err := st.SaveSettings(ctx, map[string]string{"lang": c.lang, "theme_color": c.theme, "tagline": c.tagline}); err != nil {
				t.Fatal(err)
			}
			if now := f.get("/manifest.webmanifest").Body; now != cached {
				t.Fatalf("%s: the manifest changed before the settings' event: %s", c.name, now)
			}
			f.reload(t)
		}
		m := f.manifest(t)
		if m.Name != "خبر" || m.ShortName != "خبر" || m.Description != c.tagline || m.ID != "/" || m.StartURL != "/" || m.Scope != "/" ||
			m.Display != "standalone" || m.Lang != c.wantLang || m.Dir != c.wantDir || m.ThemeColor != c.wantTheme || m.BackgroundColor != "#ffffff" {
			t.Errorf("%s: manifest %+v", c.name, m)
		}
		want := map[string]bool{"192x192 any": true, "512x512 any": true, "192x192 maskable": true, "512x512 maskable": true}
		for _, ic := range m.Icons {
			if !want[ic.Sizes+" "+ic.Purpose] || ic.Type != "image/png" {
				t.Errorf("%s: unexpected icon %+v", c.name, ic)
			}
			delete(want, ic.Sizes+" "+ic.Purpose)
			side, _ := strconv.Atoi(strings.Split(ic.Sizes, "x")[0])
			img := f.icon(t, ic.Src, side)
			// The drawn icon is the theme colour up to its corners.
			if got := pixel(img, 0, 0); got != hexRGB(c.wantTheme) {
				t.Errorf("%s: %s's corner is %v, want the theme colour", c.name, ic.Src, got)
			}
			if r := f.get(ic.Src); r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("%s: %s is cached %q", c.name, ic.Src, r.Header.Get("Cache-Control"))
			}
		}
		if len(want) != 0 {
			t.Errorf("%s: icons missing from the manifest: %v", c.name, want)
		}

		home := f.get("/")
		for _, w := range []string{`<link rel="manifest" href="/manifest.webmanifest">`, `<meta name="theme-color" content="` + c.wantTheme + `">`,
			`<meta name="apple-mobile-web-app-title" content="خبر">`, `<meta name="mobile-web-app-capable" content="yes">`,
			`<html lang="` + c.wantLang + `" dir="` + c.wantDir + `">`} {
			if !strings.Contains(home.Body, w) {
				t.Errorf("%s: the home page's head lacks %s", c.name, w)
			}
		}
		apple := headIcon.FindStringSubmatch(home.Body)
		if apple == nil {
			t.Fatalf("%s: no apple-touch-icon on the home page", c.name)
		}
		if got := pixel(f.icon(t, apple[1], 180), 0, 0); got != hexRGB(c.wantTheme) {
			t.Errorf("%s: the apple-touch-icon's corner is %v", c.name, got)
		}
		if i > 0 && m.Icons[0].Src == before.Icons[0].Src {
			t.Errorf("%s: the icons' URL did not change with the settings: %s", c.name, m.Icons[0].Src)
		}
		before = m
	}
}

func TestChosenLogo(t *testing.T) { storetest.Each(t, testChosenLogo) }

// testChosenLogo: the icons are cut from the library image the settings
// name, and fall back to the drawn mark when its file has gone.
func testChosenLogo(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	blue, yellow := color.NRGBA{0, 0, 0xff, 0xff}, color.NRGBA{0xff, 0xff, 0, 0xff}
	// 800×600: red bands at the sides, which the square crop (100 to 700)
	// drops, and a blue ground with a yellow square in the middle.
	logo := image.NewNRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(logo, logo.Rect, image.NewUniform(color.NRGBA{0xff, 0, 0, 0xff}), image.Point{}, draw.Src)
	draw.Draw(logo, image.Rect(90, 0, 710, 600), image.NewUniform(blue), image.Point{}, draw.Src)
	draw.Draw(logo, image.Rect(250, 150, 550, 450), image.NewUniform(yellow), image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, logo); err != nil {
		t.Fatal(err)
	}
	if _, err := f.files.Put(ctx, "2026/05/logo.png", &b); err != nil {
		t.Fatal(err)
	}
	m := &news.Media{Path: "2026/05/logo.png", MIME: "image/png", Width: 800, Height: 600, SHA256: "logo", Alt: "شعار"}
	gone := &news.Media{Path: "2026/05/gone.png", MIME: "image/png", Width: 800, Height: 800, SHA256: "gone"}
	for _, x := range []*news.Media{m, gone} {
		if err := st.CreateMedia(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	drawn := f.icon(t, "/icon-512.png", 512)
	etag := f.get("/icon-512.png").Header.Get("Etag")

	if err := st.SaveSettings(ctx, map[string]string{"logo_media": strconv.FormatInt(m.ID, 10)}); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/icon-512.png"); r.Header.Get("Etag") != etag {
		t.Error("the icons changed before the settings' event")
	}
	f.reload(t)
	theme := hexRGB("#8c1c13")
	for _, c := range []struct {
		path           string
		side           int
		corner, centre color.NRGBA
	}{
		{"/icon-512.png", 512, blue, yellow},
		{"/icon-192.png", 192, blue, yellow},
		{"/icon-maskable-512.png", 512, blue, yellow}, // filled with the logo's own ground
		{"/apple-touch-icon.png", 180, blue, yellow},
	} {
		img := f.icon(t, c.path, c.side)
		// The yellow square is half the crop's width (a quarter in from
		// each side; 30 % in the maskable icon): it covers the middle and
		// stops short of the edges.
		for _, p := range []struct {
			x, y int
			want color.NRGBA
		}{{0, 0, c.corner}, {c.side - 1, c.side / 2, c.corner}, {c.side / 2, c.side / 2, c.centre}, {c.side * 35 / 100, c.side * 35 / 100, c.centre}} {
			if got := pixel(img, p.x, p.y); got != p.want {
				t.Errorf("%s: pixel %d,%d is %v, want %v", c.path, p.x, p.y, got, p.want)
			}
		}
	}
	if r := f.get("/icon-512.png"); r.Header.Get("Etag") == etag || pixel(drawn, 0, 0) != theme {
		t.Error("the logo's icon has the drawn one's ETag, or the drawn one was not in the theme colour")
	}

	// Conditional requests, and caching by URL.
	r := f.get("/icon-512.png")
	if r.Header.Get("Cache-Control") != f.s.cc {
		t.Errorf("an icon without its version is cached %q", r.Header.Get("Cache-Control"))
	}
	if again := f.c.Do("GET", "/icon-512.png", nil, http.Header{"If-None-Match": {r.Header.Get("Etag")}}); again.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.Status)
	}
	if old := f.get("/icon-512.png?v=1-0-8c1c13"); old.Header.Get("Cache-Control") != f.s.cc || old.Body != r.Body {
		t.Errorf("an old version's URL: %q, or not today's icon", old.Header.Get("Cache-Control"))
	}

	// A logo whose file has gone gives the drawn icons, not an error.
	if err := st.SaveSettings(ctx, map[string]string{"logo_media": strconv.FormatInt(gone.ID, 10)}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if got := pixel(f.icon(t, "/icon-512.png", 512), 0, 0); got != theme {
		t.Errorf("with the logo's file gone: corner %v, want the drawn icon's", got)
	}
}
