package site

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"khabar/internal/news"
	"khabar/internal/render"
)

//go:embed static
var staticFS embed.FS

// Assets serves the embedded CSS and JS under content-hashed names, so they
// can be cached forever and change the moment a new binary ships.
type Assets struct {
	byName   map[string]string       // site.css -> /static/site.1a2b3c4d.css
	pages    map[string]*render.Page // hashed path -> precompressed page
	notFound http.HandlerFunc
}

// NewAssets fingerprints every embedded static file.
func NewAssets() (*Assets, error) {
	a := &Assets{byName: map[string]string{}, pages: map[string]*render.Page{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.byName[name] = hashed
		a.pages[hashed] = render.NewPage(http.StatusOK, ctype, b, "public, max-age=31536000, immutable")
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

// Path returns the hashed URL path of an asset.
func (a *Assets) Path(name string) string { return a.byName[name] }

// Funcs gives templates {{asset "site.css"}}, {{icon "icon-192.png" .Site}}.
func (a *Assets) Funcs() template.FuncMap {
	return template.FuncMap{"asset": a.Path, "icon": iconURL, "articlePath": func(a news.Article) string { return news.ArticlePath(&a) }, "listPath": news.ListPath, "picture": newPicture}
}

func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := a.pages[r.URL.Path]
	if !ok {
		a.notFound(w, r)
		return
	}
	p.Serve(w, r)
}
