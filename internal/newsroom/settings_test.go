package newsroom

import (
	"context"
	"image/png"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestSettingsLogoAndTheme(t *testing.T) { storetest.Each(t, testSettingsLogoAndTheme) }

// testSettingsLogoAndTheme: the theme colour and the logo are checked
// against what the icons need, with the field's own message; a refused
// form stores nothing.
func testSettingsLogoAndTheme(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	_, c := f.as(t, auth.RoleAdmin)
	pngOf := func(w, h int) upFile {
		return upFile{"logo.png", encoded(t, func(out io.Writer) error { return png.Encode(out, photo(w, h, w)) })}
	}
	status, ups := upload(t, c, nil, pngOf(600, 600), pngOf(300, 300), pngOf(1200, 600))
	if status != http.StatusOK || len(ups) != 3 {
		t.Fatalf("upload: %d %+v", status, ups)
	}
	square, small, wide := itoa(ups[0].ID), itoa(ups[1].ID), itoa(ups[2].ID)
	svg := &news.Media{Path: "demo/logo.svg", MIME: "image/svg+xml", Width: 1200, Height: 1200}
	if err := st.CreateMedia(ctx, svg); err != nil {
		t.Fatal(err)
	}

	stored := func() map[string]string {
		m, err := st.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := stored()
	form := f.settingsForm(t)
	with := func(key, val string) url.Values {
		v := maps.Clone(form)
		v.Set(key, val)
		return v
	}

	ar := locale.For("ar")
	cases := []struct {
		name, key, val string
		msg            string // catalogue key of the field's error
	}{
		{"a colour name", "theme_color", "red", "err_bad_colour"},
		{"three digits", "theme_color", "#fff", "err_bad_colour"},
		{"not hexadecimal", "theme_color", "#12345g", "err_bad_colour"},
		{"markup", "theme_color", `"><script>alert(1)</script>`, "err_bad_colour"},
		{"css", "theme_color", "#8c1c13;background:url(//evil)", "err_bad_colour"},
		{"not a number", "logo_media", "logo", "err_bad_logo"},
		{"negative", "logo_media", "-" + square, "err_bad_logo"},
		{"arabic-indic digits", "logo_media", "٤٢", "err_bad_logo"},
		{"sql", "logo_media", square + " OR 1=1", "err_bad_logo"},
		{"overflow", "logo_media", "99999999999999999999", "err_bad_logo"},
		{"no such image", "logo_media", "424242", "err_logo_missing"},
		{"an svg", "logo_media", itoa(svg.ID), "err_logo_not_raster"},
		{"too small", "logo_media", small, "err_logo_too_small"},
		{"too wide", "logo_media", wide, "err_logo_not_square"},
		{"loopback hub", "websub_hubs", "http://127.0.0.1:8080/hub", "err_private_address"},
		{"metadata hub", "websub_hubs", "http://169.254.169.254/latest/meta-data", "err_private_address"},
		{"local name hub", "websub_hubs", "https://hub.localhost/", "err_private_address"},
		{"one private hub of two", "websub_hubs", "https://pubsubhubbub.appspot.com/ http://[::1]:9/hub", "err_private_address"},
		{"not a hub URL", "websub_hubs", "ftp://hub.example.com/", "err_bad_url"},
	}
	for _, tc := range cases {
		r := c.Post("/admin/settings", with(tc.key, tc.val))
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, r.Status)
			continue
		}
		// The message sits right after the field it is about.
		field := strings.Index(r.Body, `name="`+tc.key+`"`)
		msg := strings.Index(r.Body, `<p class="field-error" role="alert">`+ar.T(tc.msg)+`</p>`)
		if field < 0 || msg < field || strings.Count(r.Body, `class="field-error"`) != 1 {
			t.Errorf("%s: the page does not say %q under the field", tc.name, ar.T(tc.msg))
		}
		if strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%s: the value came back unescaped", tc.name)
		}
		if now := stored(); !maps.Equal(now, before) {
			t.Errorf("%s: settings changed: %v", tc.name, now)
		}
	}

	r := c.Post("/admin/settings", with("logo_media", square))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("a square logo: %d", r.Status)
	}
	r = c.Post("/admin/settings", with("theme_color", "#1A7F3C"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("a theme colour: %d", r.Status)
	}
	if now := stored(); now["theme_color"] != "#1a7f3c" || now["logo_media"] != "" {
		t.Errorf("stored %q and %q: the second form, without the logo, clears it", now["theme_color"], now["logo_media"])
	}
	form.Set("theme_color", "#1a7f3c")
	if r := c.Post("/admin/settings", with("logo_media", square)); r.Status != http.StatusSeeOther {
		t.Fatalf("both: %d", r.Status)
	}
	if now := stored(); now["theme_color"] != "#1a7f3c" || now["logo_media"] != square {
		t.Errorf("stored %q and %q", now["theme_color"], now["logo_media"])
	}
	page := c.Get("/admin/settings")
	for _, w := range []string{`name="theme_color" value="#1a7f3c"`, `name="logo_media" value="` + square + `"`, `class="logo-preview" src="/media/`,
		`href="/admin/media?pick=logo_media"`, `<script src="/admin/media.js" defer>`} {
		if !strings.Contains(page.Body, w) {
			t.Errorf("the settings page lacks %s", w)
		}
	}
	if lib := c.Get("/admin/media?pick=logo_media"); !strings.Contains(lib.Body, `data-field="logo_media"`) {
		t.Error("the library does not pick for the logo")
	}
}

// settingsForm is the settings form as the page posts it now.
func (f *fixture) settingsForm(t *testing.T) url.Values {
	t.Helper()
	ctx := context.Background()
	m, err := f.store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for k, v := range settings.FromMap(m).ToMap() {
		form.Set(k, v)
	}
	secs, err := f.store.ListSections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secs {
		form.Set("section_comments_"+strconv.FormatInt(s.ID, 10), "")
	}
	return form
}
