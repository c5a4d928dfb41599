package news

import (
	"slices"
	"testing"
)

func TestRedirectKeys(t *testing.T) {
	for _, c := range []struct {
		path, query string
		want        []string
	}{
		{"/2020/01/15/hello-world/", "", []string{"/2020/01/15/hello-world"}},
		{"/2020/01/15/Hello-World", "", []string{"/2020/01/15/hello-world"}},
		{"/2020/01/خبر/", "", []string{"/2020/01/خبر"}},
		{"//greek//x/", "", []string{"/greek/x"}},
		{"/", "p=12", []string{"?p=12"}},
		{"/index.php", "page_id=7&foo=bar", []string{"?page_id=7"}},
		{"/", "attachment_id=3", []string{"?attachment_id=3"}},
		{"/", "feed=rss2", []string{"?feed=rss2"}},
		{"/", "s=query", nil},
		{"/", "", nil},
		{"/", "%zz", nil},
		{"relative", "", nil},
		{"/wp-content/uploads/2020/01/a-300x200.jpg", "", []string{"/wp-content/uploads/2020/01/a-300x200.jpg", "/wp-content/uploads/2020/01/a.jpg"}},
		{"/wp-content/uploads/2020/01/a-scaled.JPG", "", []string{"/wp-content/uploads/2020/01/a-scaled.jpg", "/wp-content/uploads/2020/01/a.jpg"}},
		{"/wp-content/uploads/2020/01/a-1024x768-rotated.png", "", []string{"/wp-content/uploads/2020/01/a-1024x768-rotated.png", "/wp-content/uploads/2020/01/a.png"}},
		{"/wp-content/uploads/2020/01/a.jpg", "", []string{"/wp-content/uploads/2020/01/a.jpg"}},
		{"/2020/01/a-300x200.jpg", "", []string{"/2020/01/a-300x200.jpg"}},
	} {
		if got := RedirectKeys(c.path, c.query); !slices.Equal(got, c.want) {
			t.Errorf("RedirectKeys(%q, %q) = %q, want %q", c.path, c.query, got, c.want)
		}
	}
}

func TestRedirectNormalize(t *testing.T) {
	for _, c := range []struct {
		path, target string
		want         string // the invalid field, "" when valid
	}{
		{"/old/", "/news/1/x", ""},
		{"/?p=12", "https://example.com/x", ""},
		{"/old", "", "target"},
		{"", "/x", "path"},
		{"/old", "javascript:alert(1)", "target"},
		{"/old", "//evil.example/", "target"},
		{"/old/", "/old", "target"},
		{"/?s=x", "/x", "path"},
		{"old", "/x", "path"},
	} {
		r := Redirect{Path: c.path, Target: c.target}
		err := r.Normalize()
		var ie *InvalidError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q → %q: %v", c.path, c.target, err)
		case c.want != "" && (!asInvalid(err, &ie) || ie.Fields[c.want] == ""):
			t.Errorf("%q → %q: %v, want %s invalid", c.path, c.target, err, c.want)
		}
	}
}

func asInvalid(err error, ie **InvalidError) bool {
	e, ok := err.(*InvalidError)
	*ie = e
	return ok
}
