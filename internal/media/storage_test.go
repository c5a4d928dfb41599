package media

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"2026/11/0a1b2c.jpg", true},
		{"demo/lead-16x9.svg", true},
		{"youtube/dQw4w9WgXcQ.jpg", true},
		{"a", true},
		{"", false},
		{"../etc/passwd", false},
		{"2026/../../etc/passwd", false},
		{"2026/11/..", false},
		{"/etc/passwd", false},
		{"C:\\Windows\\win.ini", false},
		{"2026\\..\\x", false},
		{"a\x00b", false},
		{".hidden", false},
		{"2026/.tmp-0123", false},
		{"a//b", false},
		{"a/", false},
		{"./a", false},
		{"a b", false},
		{"صورة.jpg", false},
		{"a%2f..%2fb", false},
		{strings.Repeat("a", 256), false},
		{strings.Repeat("a", 255), true},
	}
	for _, tt := range tests {
		err := ValidKey(tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tt.key, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadKey) {
			t.Errorf("ValidKey(%q) = %v, not ErrBadKey", tt.key, err)
		}
	}
}

func openDisk(t *testing.T) (*Disk, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "media")
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

func TestDisk(t *testing.T) {
	ctx := context.Background()
	d, dir := openDisk(t)
	const key = "2026/11/abc.jpg"

	if _, err := d.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat of a missing key = %v", err)
	}
	if _, err := d.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing key = %v", err)
	}
	for _, body := range []string{"first", "second, longer"} {
		n, err := d.Put(ctx, key, strings.NewReader(body))
		if err != nil || n != int64(len(body)) {
			t.Fatalf("Put = %d, %v", n, err)
		}
		f, err := d.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != body {
			t.Errorf("read %q, want %q", got, body)
		}
		st, err := d.Stat(ctx, key)
		if err != nil || st.Size != int64(len(body)) || st.ModTime.IsZero() {
			t.Errorf("Stat = %+v, %v", st, err)
		}
	}
	if _, err := d.Open(ctx, "2026/11"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a directory = %v", err)
	}
	if err := d.Delete(ctx, "2026/11"); err == nil {
		t.Errorf("Delete of a directory succeeded")
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2026/11/abc.jpg")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there after Delete: %v", err)
	}
}

func TestDiskFailedPutLeavesNothing(t *testing.T) {
	ctx := context.Background()
	d, dir := openDisk(t)
	if _, err := d.Put(ctx, "x/keep.jpg", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	broken := io.MultiReader(strings.NewReader("half of it"), iotest.ErrReader(errors.New("client went away")))
	if _, err := d.Put(ctx, "x/keep.jpg", broken); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Put(cancelled, "x/new.jpg", strings.NewReader("data")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put after cancel = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "x"))
	if len(entries) != 1 || entries[0].Name() != "keep.jpg" {
		t.Errorf("directory holds %v, want keep.jpg alone", entries)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "x/keep.jpg"))
	if string(got) != "old" {
		t.Errorf("the old file became %q", got)
	}
}

func TestDiskRefusesEscapes(t *testing.T) {
	ctx := context.Background()
	d, dir := openDisk(t)
	outside := filepath.Join(filepath.Dir(dir), "secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A symbolic link planted inside the store, pointing out of it.
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(dir), filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"link", "up/secret"} {
		if f, err := d.Open(ctx, key); err == nil {
			f.Close()
			t.Errorf("Open(%q) followed a link out of the store", key)
		}
	}
	if _, err := d.Put(ctx, "up/secret", strings.NewReader("x")); err == nil {
		t.Errorf("Put wrote through a linked directory out of the store")
	}
	// Renaming into place replaces the link itself, never its target.
	if _, err := d.Put(ctx, "link", strings.NewReader("x")); err != nil {
		t.Errorf("Put over a link: %v", err)
	}
	for _, key := range []string{"../secret", "/etc/passwd", "a\\..\\..\\secret", "a\x00"} {
		if _, err := d.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, ErrBadKey) {
			t.Errorf("Put(%q) = %v", key, err)
		}
		if _, err := d.Open(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Open(%q) = %v", key, err)
		}
		if _, err := d.Stat(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Stat(%q) = %v", key, err)
		}
		if err := d.Delete(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Delete(%q) = %v", key, err)
		}
	}
	if got, _ := os.ReadFile(outside); string(got) != "secret" {
		t.Errorf("the file outside became %q", got)
	}
}
