package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/apptest"
)

// TestImportWXRCommand: khabar import wxr imports a WordPress export and
// prints its summary; a second run changes nothing; a dry run writes
// nothing; a broken export fails naming its line and imports nothing.
func TestImportWXRCommand(t *testing.T) {
	t.Parallel()
	fixtures := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(filepath.Join(fixtures, "small-export.xml")); err != nil {
		t.Skipf("the WordPress fixtures are not there (%s): %v", fixtures, err)
	}
	data := filepath.Join(t.TempDir(), "data")
	small := filepath.Join(fixtures, "small-export.xml")
	for _, c := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"dry run", []string{"import", "wxr", small, "--data", data, "--dry-run"}, 0, "dry run: nothing was written"},
		{"import", []string{"import", "wxr", small, "--data", data}, 0, "read 11, imported 10, skipped 1"},
		{"again", []string{"import", "wxr", small, "--data", data}, 0, "imported 0, updated 0, unchanged 10"},
	} {
		code, out, errs := apptest.Run(t, nil, "", c.args...)
		if code != c.code || !strings.Contains(out, c.out) {
			t.Errorf("%s: %d\n%s\n%s", c.name, code, out, errs)
		}
	}
	if code, out, _ := apptest.Run(t, nil, "", "import", "wxr", small, "--data", data, "--dry-run"); code != 0 || !strings.Contains(out, "unchanged 10") {
		t.Errorf("a dry run after the import: %d\n%s", code, out)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"import", "wxr", filepath.Join(fixtures, "malformed.xml"), "--data", empty}, 1, "malformed.xml: line 90: there was an error when reading this WXR file"},
		{[]string{"import", "wxr", filepath.Join(fixtures, "missing-version-tag.xml"), "--data", empty}, 1, "line 35: this does not appear to be a WXR file"},
		{[]string{"import", "wxr", "--data", empty}, 2, "missing FILE (khabar import wxr FILE)"},
		{[]string{"import", "wxr", small, "--data", empty, "--status", "live"}, 2, "--status"},
		{[]string{"import", "wxr", small, "--data", empty, "--media", filepath.Join(empty, "nowhere")}, 1, "media folder"},
		{[]string{"import", "rss", small}, 2, `khabar import wxr FILE.xml`},
		{[]string{"import", "wxr", small, "--data", empty, "--media-origin", "ftp://old.example"}, 2, `--media-origin: origin "ftp://old.example": want http:// or https://`},
	} {
		code, _, errs := apptest.Run(t, nil, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: %d %s", c.args, code, errs)
		}
	}
	if code, out, _ := apptest.Run(t, nil, "", "reindex", "--data", empty); code != 0 || !strings.Contains(out, "indexed 0 articles") {
		t.Errorf("broken exports imported something: %d %s", code, out)
	}
}
