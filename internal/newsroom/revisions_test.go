package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestRevisions: saves become revisions, a word diff between two of them
// marks Arabic words, a restore is a new revision, and the history is
// closed to those who may not edit the article.
func TestRevisions(t *testing.T) {
	storetest.Each(t, testRevisions)
}

func testRevisions(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	wu, writer := f.as(t, auth.RoleWriter)
	form := func(headline, text string, version int64) url.Values {
		v := url.Values{"headline": {headline}, "section": {itoa(f.Sections[0].ID)},
			"blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {text}}
		if version > 0 {
			v.Set("version", itoa(version))
		}
		return v
	}
	r := writer.Post("/admin/articles/new", form("قال الوزير اليوم", "وصل الوفد إلى المدينة", 0))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.Status)
	}
	aid := savedID(t, r)
	base := "/admin/articles/" + itoa(aid)
	for i, v := range []url.Values{form("قال الرئيس اليوم", "وصل الوفد الرسمي إلى المدينة", 1), form("قال الرئيس أمس", "وصل الوفد الرسمي إلى المدينة", 2)} {
		if r := writer.Post(base, v); r.Status != http.StatusSeeOther {
			t.Fatalf("save %d: %d", i+2, r.Status)
		}
	}
	revs, err := s.Revisions(ctx, aid, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 3 || revs[0].Author.UserID != wu.ID || revs[2].Version != 1 {
		t.Fatalf("revisions after three saves: %d, newest by %d", len(revs), revs[0].Author.UserID)
	}
	first, last := revs[2], revs[0]

	r = writer.Get(base + "/revisions")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, wu.Name) || strings.Count(r.Body, "/restore") != 2 {
		t.Fatalf("history: %d, %d restore forms\n%s", r.Status, strings.Count(r.Body, "/restore"), r.Body)
	}
	if strings.Contains(r.Body, "<button>") || strings.Count(r.Body, `class="light secondary" aria-label="استعد نسخة`) != 2 {
		t.Error("restoring is not each row's light secondary action")
	}
	if r := writer.Get(base); !strings.Contains(r.Body, base+"/revisions") {
		t.Error("the article form does not link to its history")
	}

	diff := base + "/revisions/diff?from=" + itoa(first.ID) + "&to=" + itoa(last.ID)
	r = writer.Get(diff)
	for _, want := range []string{"قال <del>الوزير</del> <ins>الرئيس</ins> <del>اليوم</del> <ins>أمس</ins>", "الوفد <ins>الرسمي </ins>إلى", `lang="ar" dir="rtl"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("diff lacks %s", want)
		}
	}
	if r.Status != http.StatusOK {
		t.Fatalf("diff: %d", r.Status)
	}

	// Restoring the first save makes a fourth revision holding its text.
	restore := base + "/revisions/" + itoa(first.ID) + "/restore"
	if r := writer.Post(restore, url.Values{"version": {"3"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d\n%s", r.Status, r.Body)
	}
	a := f.article(t, aid)
	if a.Headline != "قال الوزير اليوم" || a.Body[0].Text != "وصل الوفد إلى المدينة" || a.Version != 4 {
		t.Errorf("restored article: %q %q v%d", a.Headline, a.Body[0].Text, a.Version)
	}
	if revs, _ := s.Revisions(ctx, aid, 10); len(revs) != 4 || revs[0].Article().Headline != "قال الوزير اليوم" {
		t.Errorf("after restore: %d revisions", len(revs))
	}

	// A stale restore, or a stale save, is refused with what changed.
	r = writer.Post(restore, url.Values{"version": {"3"}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "<del>الرئيس</del> <ins>الوزير</ins> <del>أمس</del> <ins>اليوم</ins>") {
		t.Errorf("stale restore: %d, or their change is not shown", r.Status)
	}
	r = writer.Post(base, form("عنوان متأخر", "نص", 2))
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "قال <del>الرئيس</del> <ins>الوزير</ins> اليوم") {
		t.Errorf("stale save: %d, or their change is not shown", r.Status)
	}

	other := f.articleIn(t, news.StatusDraft, 0)
	otherRev, err := s.Revisions(ctx, other.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	otherBase := adminPath(other)
	cases := []struct {
		name, method, path string
		form               url.Values
		hdr                http.Header
		want               int
	}{
		{"someone else's history", "GET", otherBase + "/revisions", nil, nil, http.StatusForbidden},
		{"someone else's diff", "GET", otherBase + "/revisions/diff?from=1&to=1", nil, nil, http.StatusForbidden},
		{"someone else's restore", "POST", otherBase + "/revisions/" + itoa(otherRev[0].ID) + "/restore", url.Values{"version": {"1"}}, nil, http.StatusForbidden},
		{"missing article", "GET", "/admin/articles/999999/revisions", nil, nil, http.StatusNotFound},
		{"word for an id", "GET", base + "/revisions/diff?from=abc&to=" + itoa(last.ID), nil, nil, http.StatusNotFound},
		{"no from", "GET", base + "/revisions/diff?to=" + itoa(last.ID), nil, nil, http.StatusNotFound},
		{"unknown revision", "GET", base + "/revisions/diff?from=999999&to=" + itoa(last.ID), nil, nil, http.StatusNotFound},
		{"another article's revision", "GET", base + "/revisions/diff?from=" + itoa(otherRev[0].ID) + "&to=" + itoa(last.ID), nil, nil, http.StatusNotFound},
		{"restore unknown revision", "POST", base + "/revisions/999999/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
		{"restore negative revision", "POST", base + "/revisions/-1/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
		{"restore another article's revision", "POST", base + "/revisions/" + itoa(otherRev[0].ID) + "/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
		{"restore without version", "POST", restore, url.Values{}, nil, http.StatusBadRequest},
		{"restore cross-site", "POST", restore, url.Values{"version": {"4"}}, crossSite, http.StatusForbidden},
	}
	for _, c := range cases {
		if r := send(writer, c.method, c.path, c.form, c.hdr); r.Status != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Status, c.want)
		}
	}
	if revs, _ := s.Revisions(ctx, aid, 10); len(revs) != 4 {
		t.Errorf("refused requests changed the history: %d revisions", len(revs))
	}

	// A save that publishes is named for it in the history, not «حقول أخرى».
	_, editor := f.as(t, auth.RoleEditor)
	draft := f.articleIn(t, news.StatusDraft, 0)
	same := form(draft.Headline, draft.Body[0].Text, draft.Version)
	same.Set("action", "publish")
	if r := editor.Post(adminPath(draft), same); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	if h := editor.Get(adminPath(draft) + "/revisions").Body; !strings.Contains(h, "<td>نُشر</td>") || strings.Contains(h, "حقول أخرى") {
		t.Error("the publishing save is not named «نُشر» in the history")
	}

	// An editor restores on a published article as a staged update.
	pub := f.articleIn(t, news.StatusPublished, 0)
	pubRevs, _ := s.Revisions(ctx, pub.ID, 1)
	if r := editor.Post(adminPath(pub), form("عنوان معدّل للخبر المنشور", "فقرة", pub.Version)); r.Status != http.StatusSeeOther {
		t.Fatalf("stage: %d", r.Status)
	}
	staged := f.article(t, pub.ID)
	r = editor.Post(adminPath(pub)+"/revisions/"+itoa(pubRevs[0].ID)+"/restore", url.Values{"version": {itoa(staged.Version)}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=staged") {
		t.Fatalf("restore on a published article: %d %s", r.Status, r.Header.Get("Location"))
	}
	if live, _ := s.StagedArticle(ctx, pub.ID); live.Headline != pub.Headline || !live.HasStaged {
		t.Errorf("staged after restore: %q, staged %v", live.Headline, live.HasStaged)
	}
}

// TestRevisionChanges: a change of state is named first, and only when
// both saves recorded their state (revisions from before it was kept say
// nothing of one).
func TestRevisionChanges(t *testing.T) {
	for _, c := range []struct {
		name     string
		prev     news.Status
		rev      news.Status
		wantStep bool
	}{
		{"published", news.StatusDraft, news.StatusPublished, true},
		{"same state", news.StatusPublished, news.StatusPublished, false},
		{"the save before kept no state", "", news.StatusPublished, false},
		{"this save kept no state", news.StatusDraft, "", false},
	} {
		got := revisionChanges(&store.Revision{Status: c.prev}, &store.Revision{Status: c.rev})
		if step := len(got) > 0 && strings.HasPrefix(got[0], "revision_step_"); step != c.wantStep {
			t.Errorf("%s: %v, want a state step: %v", c.name, got, c.wantStep)
		}
	}
}
