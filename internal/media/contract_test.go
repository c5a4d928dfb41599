package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/media"
	"khabar/internal/s3test"
)

// TestStoreContract holds the disk store and the S3 store (on a real
// SeaweedFS) to the same promises, so code written against one works on
// the other.
func TestStoreContract(t *testing.T) {
	for _, tt := range contractStores {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			st := tt.open(t)
			const key = "2026/11/abc.jpg"
			if _, err := st.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Stat of a missing key = %v, want fs.ErrNotExist", err)
			}
			if _, err := st.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Open of a missing key = %v, want fs.ErrNotExist", err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Errorf("Delete of a missing key = %v, want nil", err)
			}
			// The second Put replaces the first, longer or shorter.
			for _, body := range []string{"first, the longer one", "second"} {
				n, err := st.Put(ctx, key, strings.NewReader(body))
				if err != nil || n != int64(len(body)) {
					t.Fatalf("Put = %d, %v", n, err)
				}
				if got := read(t, st, key); got != body {
					t.Errorf("read %q, want %q", got, body)
				}
				info, err := st.Stat(ctx, key)
				if err != nil || info.Size != int64(len(body)) || info.ModTime.IsZero() {
					t.Errorf("Stat = %+v, %v", info, err)
				}
			}
			for _, bad := range []string{"../x", "/etc/passwd", "a\x00", ".hidden"} {
				if _, err := st.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, media.ErrBadKey) {
					t.Errorf("Put(%q) = %v, want ErrBadKey", bad, err)
				}
				if _, err := st.Open(ctx, bad); !errors.Is(err, media.ErrBadKey) {
					t.Errorf("Open(%q) = %v, want ErrBadKey", bad, err)
				}
			}

			// A file bigger than any buffer on the way, streamed in and out
			// and served with ranges.
			big := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16+7)
			if n, err := st.Put(ctx, "big/file.png", io.MultiReader(bytes.NewReader(big[:1<<20]), bytes.NewReader(big[1<<20:]))); err != nil || n != int64(len(big)) {
				t.Fatalf("Put big = %d, %v", n, err)
			}
			if got := read(t, st, "big/file.png"); sha256.Sum256([]byte(got)) != sha256.Sum256(big) {
				t.Errorf("the big file came back changed (%d bytes, want %d)", len(got), len(big))
			}
			serveRange(t, st, "big/file.png", big)

			var keys []string
			if err := st.Walk(ctx, func(k string, info media.Info) error {
				keys = append(keys, k)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(keys)
			if want := []string{key, "big/file.png"}; !slices.Equal(keys, want) {
				t.Errorf("Walk = %q, want %q", keys, want)
			}

			if err := st.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat after Delete = %v", err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Errorf("second Delete = %v, want nil", err)
			}

			// A cut upload leaves the old content.
			if _, err := st.Put(ctx, "x/keep.jpg", strings.NewReader("old")); err != nil {
				t.Fatal(err)
			}
			broken := io.MultiReader(strings.NewReader("half"), errReader{})
			if _, err := st.Put(ctx, "x/keep.jpg", broken); err == nil {
				t.Error("Put from a failing reader succeeded")
			}
			if got := read(t, st, "x/keep.jpg"); got != "old" {
				t.Errorf("after a failed Put the file is %q", got)
			}
		})
	}
}

var contractStores = []struct {
	name string
	open func(t testing.TB) media.Store
}{
	{"disk", func(t testing.TB) media.Store {
		d, err := media.OpenDisk(filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}},
	{"s3", func(t testing.TB) media.Store {
		srv := s3test.Start(t)
		return srv.Open(t, "s3://"+srv.Bucket(t)+"/site")
	}},
}

// BenchmarkStoreRead reads a 200 KB picture whole, as /media/ serves it,
// from each store: what streaming from the bucket costs over the disk.
func BenchmarkStoreRead(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789"), 20<<10)
	for _, tt := range contractStores {
		b.Run(tt.name, func(b *testing.B) {
			st := tt.open(b)
			ctx := context.Background()
			if _, err := st.Put(ctx, "2026/12/bench.jpg", bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				rc, err := st.Open(ctx, "2026/12/bench.jpg")
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(body)) {
					b.Fatalf("read %d, %v", n, err)
				}
				rc.Close()
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("client went away") }

func read(t *testing.T, st media.Store, key string) string {
	t.Helper()
	rc, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// serveRange serves key as the site does and asks for a range from the
// middle, then the whole.
func serveRange(t *testing.T, st media.Store, key string, want []byte) {
	t.Helper()
	for _, tc := range []struct {
		rng        string
		status     int
		start, end int
	}{{"bytes=1000000-1000099", http.StatusPartialContent, 1000000, 1000100}, {"", http.StatusOK, 0, len(want)}} {
		rc, err := st.Open(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		rs, info, err := media.ReadSeeker(rc)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/media/"+key, nil)
		if tc.rng != "" {
			r.Header.Set("Range", tc.rng)
		}
		w := httptest.NewRecorder()
		http.ServeContent(w, r, key, info.ModTime, rs)
		rc.Close()
		if w.Code != tc.status || !bytes.Equal(w.Body.Bytes(), want[tc.start:tc.end]) {
			t.Errorf("range %q: %d with %d bytes, want %d with %d", tc.rng, w.Code, w.Body.Len(), tc.status, tc.end-tc.start)
		}
	}
}
