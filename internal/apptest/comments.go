package apptest

import (
	"context"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
)

// CommentReady makes a node accept comments at test speed: no wait after
// the form token and no per-address limit (every test client is 127.0.0.1).
func CommentReady(n *Node) {
	n.Comments.MinFill = 0
	n.Comments.ByIP = nil
	n.Comments.ByArticle = nil
}

// CommentIDs are the ids of the comments in state st.
func CommentIDs(t *testing.T, n *Node, st news.CommentStatus) []int64 {
	t.Helper()
	list, err := n.Store.ListComments(context.Background(), store.CommentFilter{Status: st, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}
