package app_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/s3test"
	"khabar/internal/storetest"
)

// TestMediaOnObjectStorage, against a real SeaweedFS and nodes sharing
// one PostgreSQL: a library kept on a node's disk (the demo's images and
// an upload with its sizes) is copied into a bucket by khabar media
// migrate, which a rerun after a cut-short copy completes without copying
// again what is there; nodes on that bucket then serve all of it, and a
// picture uploaded on one is served by another.
func TestMediaOnObjectStorage(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	bucket := "s3://" + srv.Bucket(t) + "/site"
	db := storetest.PostgresURL(t)
	ctx := context.Background()
	files := srv.Open(t, bucket)

	// A node as nodes were before, media in its data directory, stopped
	// before the nodes on the bucket start: one on disk would take their
	// jobs and not find their uploads.
	var onDisk, demoImage *news.Media
	var lead *news.Article
	served := map[string]string{} // what the disk node served, by key
	t.Run("on disk", func(t *testing.T) {
		disk := apptest.StartNode(t, db)
		onDisk = uploadPhoto(t, disk, 1)
		lead = apptest.FirstPublished(t, disk.Store)
		demoImage = disk.MustMedia(t, lead.FeaturedID)
		for _, key := range append(sizePaths(onDisk), onDisk.Path, demoImage.Path) {
			served[key] = disk.Get(t, "/media/"+key).Body
		}

		migrate := func() string {
			t.Helper()
			code, out, errOut := apptest.Run(t, srv.Env(), "", "media", "migrate", "--data", disk.DataDir, "--to", bucket,
				"--media-s3-endpoint", srv.Endpoint, "--media-s3-path-style")
			if code != 0 {
				t.Fatalf("media migrate: exit %d\n%s\n%s", code, out, errOut)
			}
			return out
		}
		out := migrate()
		var copied, skipped int
		var size int64
		if _, err := fmt.Sscanf(out, "%d files copied (%d bytes), %d already there", &copied, &size, &skipped); err != nil || copied < 10 || skipped != 0 {
			t.Fatalf("first migrate: %q (%v)", out, err)
		}
		// A copy cut short: one object never arrived, another only in part.
		if err := files.Delete(ctx, onDisk.Sizes[0].Path); err != nil {
			t.Fatal(err)
		}
		if _, err := files.Put(ctx, demoImage.Path, strings.NewReader("<svg")); err != nil {
			t.Fatal(err)
		}
		out = migrate()
		if want := "2 files copied"; !strings.Contains(out, want) || !strings.Contains(out, apptest.Itoa(int64(copied-2))+" already there") {
			t.Fatalf("second migrate: %q, want %q and %d already there", out, want, copied-2)
		}
	})
	if t.Failed() {
		return
	}

	// Two nodes on the bucket, with data directories of their own.
	one := apptest.StartNode(t, db, apptest.MediaStore(srv, bucket))
	two := apptest.StartNode(t, db, apptest.MediaStore(srv, bucket))
	for _, n := range []*apptest.Node{one, two} {
		mustServe(t, n, demoImage.Path, "image/svg+xml", served[demoImage.Path])
		mustServe(t, n, onDisk.Path, "image/jpeg", served[onDisk.Path])
		for _, z := range onDisk.Sizes {
			mustServe(t, n, z.Path, "image/"+z.Format, served[z.Path])
		}
	}
	// The article page on node two shows the pictures it serves.
	if page := two.Get(t, apptest.ArticleURL(lead)); page.Status != 200 || !strings.Contains(page.Body, "/media/"+demoImage.Path) {
		t.Errorf("article page on node two: %d, without %s", page.Status, demoImage.Path)
	}

	// Uploaded on node one, served by node two, sizes and all.
	fresh := uploadPhoto(t, one, 2)
	if _, err := files.Stat(ctx, fresh.Path); err != nil {
		t.Fatalf("the upload is not in the bucket: %v", err)
	}
	original := one.Get(t, "/media/"+fresh.Path).Body
	mustServe(t, two, fresh.Path, "image/jpeg", original)
	for _, z := range fresh.Sizes {
		mustServe(t, two, z.Path, "image/"+z.Format, one.Get(t, "/media/"+z.Path).Body)
	}
	// Streamed from the bucket, ranges still work.
	r := two.Do(t, "GET", "/media/"+fresh.Path, nil, map[string]string{"Range": "bytes=100-199"})
	if r.Status != http.StatusPartialContent || r.Body != original[100:200] {
		t.Errorf("range: %d with %d bytes", r.Status, len(r.Body))
	}
	if r := two.Get(t, "/media/2026/01/nothing-here.jpg"); r.Status != http.StatusNotFound {
		t.Errorf("a missing file: %d", r.Status)
	}

	// A backup lists the bucket's objects in its manifest, not copying
	// them.
	// them; with --with-media it copies them into the archive.
	dir := t.TempDir()
	backup := func(archive string, extra ...string) string {
		t.Helper()
		args := append([]string{"backup", "--db", db, "--data", dir, "--out", archive, "--media-store", bucket,
			"--media-s3-endpoint", srv.Endpoint, "--media-s3-path-style"}, extra...)
		code, out, errOut := apptest.Run(t, srv.Env(), "", args...)
		if code != 0 {
			t.Fatalf("backup: exit %d\n%s\n%s", code, out, errOut)
		}
		return out
	}
	if out := backup(filepath.Join(dir, "listed.tar.gz")); !strings.Contains(out, "media files listed, not copied: they stay in "+bucket) {
		t.Errorf("backup: %s", out)
	}
	backup(filepath.Join(dir, "whole.tar.gz"), "--with-media")
	if got := archivedMedia(t, filepath.Join(dir, "whole.tar.gz"))[fresh.Path]; got != original {
		t.Errorf("archived %s: %d bytes, want %d", fresh.Path, len(got), len(original))
	}
}

// archivedMedia reads the media parts of a backup archive, by key.
func archivedMedia(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if key, ok := strings.CutPrefix(hdr.Name, "media/"); ok {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			out[key] = string(b)
		}
	}
}

// uploadPhoto uploads a photo on n and waits for its sizes.
func uploadPhoto(t *testing.T, n *apptest.Node, seed int) *news.Media {
	t.Helper()
	writer := apptest.As(t, n, auth.RoleWriter)
	status, res := writer.Upload(t, nil, apptest.UpFile{Name: "photo.jpg", Data: apptest.JPEGOf(t, apptest.Photo(1600, 900, seed))})
	if status != http.StatusOK || len(res) != 1 || res[0].Failed {
		t.Fatalf("upload on %s: %d %+v", n.Base, status, res)
	}
	m := waitSizes(t, n, res[0].ID)
	if m.SizesState != news.SizesReady || len(m.Sizes) == 0 {
		t.Fatalf("sizes: %q %d", m.SizesState, len(m.Sizes))
	}
	return m
}

func sizePaths(m *news.Media) []string {
	var out []string
	for _, z := range m.Sizes {
		out = append(out, z.Path)
	}
	return out
}

// mustServe checks that n serves /media/key as the given type and body.
func mustServe(t *testing.T, n *apptest.Node, key, typ, body string) {
	t.Helper()
	r := n.Get(t, "/media/"+key)
	if r.Status != 200 || r.Header.Get("Content-Type") != typ || r.Body != body || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("%s on %s: %d %q %q, %d bytes (want %d)", key, n.Base, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"), len(r.Body), len(body))
	}
}
