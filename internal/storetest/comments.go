package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

func comment(articleID, parentID int64, status news.CommentStatus, body string) *news.Comment {
	return &news.Comment{ArticleID: articleID, ParentID: parentID, Status: status, Name: "قارئ", Body: body,
		Identity: "id-" + body, IPHash: "ip-1", BodyHash: "h-" + body}
}

func testComments(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر للتعليق")
	publish(t, s, a, time.Now().Add(-time.Hour))
	draft := f.Article("مسودة")
	if err := s.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateComment(ctx, comment(draft.ID, 0, news.CommentApproved, "x")); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("comment on a draft: %v", err)
	}
	before, _ := s.LastEventID(ctx)
	top := comment(a.ID, 0, news.CommentApproved, "أول")
	if err := s.CreateComment(ctx, top); err != nil {
		t.Fatal(err)
	}
	evs, _ := s.EventsAfter(ctx, before, 10)
	if len(evs) != 1 || evs[0].Kind != news.EventCommentChanged || evs[0].Comment != top.ID || len(evs[0].Sections) != 1 {
		t.Fatalf("approved comment events: %+v", evs)
	}
	pending := comment(a.ID, 0, news.CommentPending, "ثان")
	if err := s.CreateComment(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.EventsAfter(ctx, evs[0].ID, 10); len(evs) != 0 {
		t.Fatalf("a pending comment wrote events: %+v", evs)
	}
	// A reply to a reply is attached to the top-level comment.
	reply := comment(a.ID, top.ID, news.CommentApproved, "رد")
	if err := s.CreateComment(ctx, reply); err != nil {
		t.Fatal(err)
	}
	deep := comment(a.ID, reply.ID, news.CommentApproved, "رد على رد")
	if err := s.CreateComment(ctx, deep); err != nil || deep.ParentID != top.ID {
		t.Fatalf("reply to a reply: parent %d, %v", deep.ParentID, err)
	}
	other := f.Article("خبر آخر")
	publish(t, s, other, time.Now().Add(-time.Hour))
	for name, c := range map[string]*news.Comment{
		"parent on another article": comment(other.ID, top.ID, news.CommentApproved, "y"),
		"pending parent":            comment(a.ID, pending.ID, news.CommentApproved, "y"),
		"missing parent":            comment(a.ID, 999999, news.CommentApproved, "y"),
	} {
		if err := s.CreateComment(ctx, c); !errors.Is(err, store.ErrParentGone) {
			t.Errorf("%s: %v", name, err)
		}
	}
	got, total, err := s.PublicComments(ctx, a.ID, false, 10, 0)
	if err != nil || total != 1 || len(got) != 1 || len(got[0].Replies) != 2 {
		t.Fatalf("public comments: %d %+v %v", total, got, err)
	}
	if art, _ := s.GetArticle(ctx, a.ID); art.CommentCount != 3 {
		t.Fatalf("count %d, want 3", art.CommentCount)
	}
	actor := news.Actor{Name: "مشرف"}
	changed, err := s.ModerateComments(ctx, []int64{pending.ID, top.ID}, news.CommentApproved, actor)
	if err != nil || len(changed) != 1 || changed[0].ID != pending.ID {
		t.Fatalf("approve: %+v %v", changed, err)
	}
	// Rejecting the top comment hides its replies from the count.
	if _, err := s.ModerateComments(ctx, []int64{top.ID}, news.CommentRejected, actor); err != nil {
		t.Fatal(err)
	}
	if art, _ := s.GetArticle(ctx, a.ID); art.CommentCount != 1 {
		t.Fatalf("count after rejecting the parent: %d, want 1", art.CommentCount)
	}
	if _, err := s.ModerateComments(ctx, []int64{424242}, news.CommentSpam, actor); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("moderating a missing comment: %v", err)
	}
	if err := s.EditComment(ctx, pending.ID, "نص مصحح", actor); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.GetComment(ctx, pending.ID); c.Body != "نص مصحح" {
		t.Fatalf("edit: %q", c.Body)
	}
	for range 2 {
		if err := s.ReportComment(ctx, pending.ID, "ip-9"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ReportComment(ctx, top.ID, "ip-9"); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("reporting a rejected comment: %v", err)
	}
	reported, err := s.ListComments(ctx, store.CommentFilter{Reported: true, Limit: 10})
	if err != nil || len(reported) != 1 || reported[0].Reports != 1 || reported[0].ArticleHeadline != a.Headline {
		t.Fatalf("reported: %+v %v", reported, err)
	}
	counts, err := s.CommentCounts(ctx)
	if err != nil || counts["approved"] != 3 || counts["rejected"] != 1 || counts["reported"] != 1 {
		t.Fatalf("counts: %v %v", counts, err)
	}
	if n, _ := s.PendingComments(ctx); n != 0 {
		t.Fatalf("pending: %d", n)
	}
	history, _ := s.ListComments(ctx, store.CommentFilter{IPHash: "ip-1", Limit: 50})
	if len(history) != 4 {
		t.Fatalf("history by address: %d", len(history))
	}
	facts, err := s.CommentFacts(ctx, &news.Comment{ArticleID: a.ID, Identity: "id-رد", IPHash: "ip-x", BodyHash: "h-رد"}, time.Now())
	if err != nil || !facts.HasApproved || !facts.Duplicate || facts.Banned {
		t.Fatalf("facts: %+v %v", facts, err)
	}
}

func testCommentBans(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	actor := news.Actor{Name: "مشرف"}
	now := time.Now()
	for _, b := range []news.CommentBan{
		{Kind: news.BanIP, Value: "ip-bad", ExpiresAt: now.Add(time.Hour)},
		{Kind: news.BanIdentity, Value: "id-old", ExpiresAt: now.Add(-time.Hour)},
	} {
		if err := s.AddCommentBan(ctx, &b, actor); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddCommentBan(ctx, &news.CommentBan{Kind: "planet", Value: "x"}, actor); !news.IsInvalid(err) {
		t.Fatalf("bad ban kind: %v", err)
	}
	f, _ := s.CommentFacts(ctx, &news.Comment{Identity: "someone", IPHash: "ip-bad"}, now)
	g, _ := s.CommentFacts(ctx, &news.Comment{Identity: "id-old", IPHash: "ip-ok"}, now)
	if !f.Banned || g.Banned {
		t.Fatalf("bans: active %v, expired %v", f.Banned, g.Banned)
	}
	bans, err := s.CommentBans(ctx, now)
	if err != nil || len(bans) != 1 {
		t.Fatalf("bans in force: %+v %v", bans, err)
	}
	if err := s.DeleteCommentBan(ctx, bans[0].ID, actor); err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, 10, 0)
	if err != nil || len(log) != 3 || log[0].Action != "comment.unban" || log[0].Name != "مشرف" {
		t.Fatalf("audit log: %+v %v", log, err)
	}
}

func testSecrets(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	calls := 0
	gen := func() (string, error) { calls++; return "v" + string(rune('0'+calls)), nil }
	a, err := s.Secret(ctx, "k", gen)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Secret(ctx, "k", gen)
	if err != nil || a != b || calls != 1 {
		t.Fatalf("secret not kept: %q %q calls %d %v", a, b, calls, err)
	}
}

// testBulkModerationEvents: approving several comments of one article at
// once writes an event for each, so open pages receive every one of
// them, not only the last; the count is right in all of them.
func testBulkModerationEvents(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر بتعليقات كثيرة")
	publish(t, s, a, time.Now().Add(-time.Hour))
	var ids []int64
	for _, body := range []string{"أول", "ثان", "ثالث"} {
		c := comment(a.ID, 0, news.CommentPending, body)
		if err := s.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	before, _ := s.LastEventID(ctx)
	if _, err := s.ModerateComments(ctx, ids, news.CommentApproved, news.Actor{Name: "مشرف"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.EventsAfter(ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, ev := range evs {
		if ev.Kind == news.EventCommentChanged && ev.ArticleID == a.ID {
			got = append(got, ev.Comment)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Errorf("comment events for %v, want one for each of %v", got, ids)
	}
	if art, _ := s.GetArticle(ctx, a.ID); art.CommentCount != 3 {
		t.Errorf("comment count %d, want 3", art.CommentCount)
	}
}

// testCommentTokens: a form token makes one comment, whichever of several
// requests posting it at once gets there first; a comment refused for
// another reason leaves it unspent; spent tokens are forgotten once they
// lapse.
func testCommentTokens(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر برمز")
	publish(t, s, a, time.Now().Add(-time.Hour))
	later := time.Now().Add(48 * time.Hour)
	tok := store.FormToken{Nonce: "nonce-1", Lapses: later}
	if err := s.PostComment(ctx, comment(a.ID, 999999, news.CommentApproved, "رد ضائع"), tok); !errors.Is(err, store.ErrParentGone) {
		t.Fatalf("reply to a missing comment: %v", err)
	}
	if spent, err := s.CommentTokenSpent(ctx, tok.Nonce); spent || err != nil {
		t.Fatalf("a refused comment spent its token: %v %v", spent, err)
	}
	const racers = 8
	errs := make(chan error, racers)
	for i := range racers {
		go func() {
			errs <- s.PostComment(ctx, comment(a.ID, 0, news.CommentApproved, fmt.Sprint("سباق ", i)), tok)
		}()
	}
	var made, refused int
	for range racers {
		switch err := <-errs; {
		case err == nil:
			made++
		case errors.Is(err, store.ErrTokenSpent):
			refused++
		default:
			t.Errorf("posting with one token at once: %v", err)
		}
	}
	if made != 1 || refused != racers-1 {
		t.Errorf("one token, %d posts at once: %d comments made, %d refused", racers, made, refused)
	}
	if _, total, _ := s.PublicComments(ctx, a.ID, false, 10, 0); total != 1 {
		t.Errorf("%d comments stored with one token", total)
	}
	if spent, err := s.CommentTokenSpent(ctx, tok.Nonce); !spent || err != nil {
		t.Errorf("spent token not known: %v %v", spent, err)
	}
	lapsed := store.FormToken{Nonce: "nonce-2", Lapses: time.Now().Add(-time.Minute)}
	if err := s.PostComment(ctx, comment(a.ID, 0, news.CommentApproved, "قديم"), lapsed); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteLapsedCommentTokens(ctx); n != 1 || err != nil {
		t.Errorf("lapsed tokens deleted: %d, %v", n, err)
	}
	if spent, _ := s.CommentTokenSpent(ctx, tok.Nonce); !spent {
		t.Errorf("a token not yet lapsed was forgotten")
	}
}
