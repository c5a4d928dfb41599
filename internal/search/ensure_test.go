package search_test

import (
	"context"
	"testing"

	"khabar/internal/demo"
	"khabar/internal/media"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestNewAnalyserRebuildsIndex: a database indexed by an earlier analyser
// (its cursor under the old consumer name) gets a new index at the next
// start, so «مسئول» finds what was indexed as «مسؤول»; a start after that
// leaves the index alone.
func TestNewAnalyserRebuildsIndex(t *testing.T) { storetest.Each(t, testNewAnalyserRebuildsIndex) }

func testNewAnalyserRebuildsIndex(t *testing.T, s *store.Store) {
	ctx := context.Background()
	files, err := media.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	if _, err := demo.Load(ctx, s, files); err != nil {
		t.Fatal(err)
	}
	// The old generation's state: its cursor, and an index that does not
	// know the new folding (here: none at all).
	if err := s.SaveCursor(ctx, "search", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	svc := search.New(s)
	found := func() int {
		t.Helper()
		res, err := svc.Search(ctx, search.Parse("مسئول"), search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if err := svc.EnsureIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if found() == 0 {
		t.Fatal("after the start, «مسئول» finds nothing: the index was not rebuilt")
	}
	if err := s.ClearSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if n := found(); n != 0 {
		t.Errorf("a second start rebuilt the index again (%d hits)", n)
	}
}
