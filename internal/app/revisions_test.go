package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// TestRevisions: saves become revisions, a word diff between two of them
// marks Arabic words, a restore is a new revision, and the history is
// closed to those who may not edit the article.
func TestRevisions(t *testing.T) {
	backends(t, func(t *testing.T, n *node) {
		ctx := context.Background()
		writer, wid := loginAs(t, n, auth.RoleWriter)
		sec, err := n.Store.SectionBySlug(ctx, "politics")
		if err != nil {
			t.Fatal(err)
		}
		form := func(headline, text string, version int64) url.Values {
			f := url.Values{"headline": {headline}, "section": {strconv.FormatInt(sec.ID, 10)},
				"blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {text}}
			if version > 0 {
				f.Set("version", strconv.FormatInt(version, 10))
			}
			return f
		}
		r := writer.do(t, "POST", "/admin/articles/new", form("قال الوزير اليوم", "وصل الوفد إلى المدينة", 0), nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d", r.status)
		}
		aid, err := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(r.header.Get("Location"), "?", 2)[0], "/admin/articles/"), 10, 64)
		if err != nil {
			t.Fatalf("location %q: %v", r.header.Get("Location"), err)
		}
		base := "/admin/articles/" + strconv.FormatInt(aid, 10)
		for i, f := range []url.Values{form("قال الرئيس اليوم", "وصل الوفد الرسمي إلى المدينة", 1), form("قال الرئيس أمس", "وصل الوفد الرسمي إلى المدينة", 2)} {
			if r := writer.do(t, "POST", base, f, nil); r.status != http.StatusSeeOther {
				t.Fatalf("save %d: %d", i+2, r.status)
			}
		}
		revs, err := n.Store.Revisions(ctx, aid, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 3 || revs[0].Author.UserID != wid || revs[2].Version != 1 {
			t.Fatalf("revisions after three saves: %d, newest by %d", len(revs), revs[0].Author.UserID)
		}
		first, last := revs[2], revs[0]

		r = writer.get(t, base+"/revisions")
		if r.status != http.StatusOK || !strings.Contains(r.body, "مستخدم writer") || strings.Count(r.body, "/restore") != 2 {
			t.Fatalf("history: %d, %d restore forms\n%s", r.status, strings.Count(r.body, "/restore"), r.body)
		}
		if r := writer.get(t, base); !strings.Contains(r.body, base+"/revisions") {
			t.Error("the article form does not link to its history")
		}

		diff := base + "/revisions/diff?from=" + strconv.FormatInt(first.ID, 10) + "&to=" + strconv.FormatInt(last.ID, 10)
		r = writer.get(t, diff)
		for _, want := range []string{"قال <del>الوزير</del><ins>الرئيس</ins> <del>اليوم</del><ins>أمس</ins>", "الوفد <ins>الرسمي </ins>إلى", `lang="ar" dir="rtl"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("diff lacks %s", want)
			}
		}
		if r.status != http.StatusOK {
			t.Fatalf("diff: %d", r.status)
		}

		// Restoring the first save makes a fourth revision holding its text.
		restore := base + "/revisions/" + strconv.FormatInt(first.ID, 10) + "/restore"
		if r := writer.do(t, "POST", restore, url.Values{"version": {"3"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("restore: %d\n%s", r.status, r.body)
		}
		a, err := n.Store.GetArticle(ctx, aid)
		if err != nil {
			t.Fatal(err)
		}
		if a.Headline != "قال الوزير اليوم" || a.Body[0].Text != "وصل الوفد إلى المدينة" || a.Version != 4 {
			t.Errorf("restored article: %q %q v%d", a.Headline, a.Body[0].Text, a.Version)
		}
		if revs, _ := n.Store.Revisions(ctx, aid, 10); len(revs) != 4 || revs[0].Article().Headline != "قال الوزير اليوم" {
			t.Errorf("after restore: %d revisions", len(revs))
		}

		// A stale restore, or a stale save, is refused with what changed.
		r = writer.do(t, "POST", restore, url.Values{"version": {"3"}}, nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "<del>الرئيس</del><ins>الوزير</ins> <del>أمس</del><ins>اليوم</ins>") {
			t.Errorf("stale restore: %d, or their change is not shown", r.status)
		}
		r = writer.do(t, "POST", base, form("عنوان متأخر", "نص", 2), nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "قال <del>الرئيس</del><ins>الوزير</ins> اليوم") {
			t.Errorf("stale save: %d, or their change is not shown", r.status)
		}

		other := articleIn(t, n, news.StatusDraft, 0)
		otherRev, err := n.Store.Revisions(ctx, other.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		otherBase := "/admin/articles/" + strconv.FormatInt(other.ID, 10)
		cross := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
		cases := []struct {
			name, method, path string
			form               url.Values
			hdr                map[string]string
			want               int
		}{
			{"someone else's history", "GET", otherBase + "/revisions", nil, nil, http.StatusForbidden},
			{"someone else's diff", "GET", otherBase + "/revisions/diff?from=1&to=1", nil, nil, http.StatusForbidden},
			{"someone else's restore", "POST", otherBase + "/revisions/" + strconv.FormatInt(otherRev[0].ID, 10) + "/restore", url.Values{"version": {"1"}}, nil, http.StatusForbidden},
			{"missing article", "GET", "/admin/articles/999999/revisions", nil, nil, http.StatusNotFound},
			{"word for an id", "GET", base + "/revisions/diff?from=abc&to=" + strconv.FormatInt(last.ID, 10), nil, nil, http.StatusNotFound},
			{"no from", "GET", base + "/revisions/diff?to=" + strconv.FormatInt(last.ID, 10), nil, nil, http.StatusNotFound},
			{"unknown revision", "GET", base + "/revisions/diff?from=999999&to=" + strconv.FormatInt(last.ID, 10), nil, nil, http.StatusNotFound},
			{"another article's revision", "GET", base + "/revisions/diff?from=" + strconv.FormatInt(otherRev[0].ID, 10) + "&to=" + strconv.FormatInt(last.ID, 10), nil, nil, http.StatusNotFound},
			{"restore unknown revision", "POST", base + "/revisions/999999/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
			{"restore negative revision", "POST", base + "/revisions/-1/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
			{"restore another article's revision", "POST", base + "/revisions/" + strconv.FormatInt(otherRev[0].ID, 10) + "/restore", url.Values{"version": {"4"}}, nil, http.StatusNotFound},
			{"restore without version", "POST", restore, url.Values{}, nil, http.StatusBadRequest},
			{"restore cross-site", "POST", restore, url.Values{"version": {"4"}}, cross, http.StatusForbidden},
		}
		for _, c := range cases {
			if r := writer.do(t, c.method, c.path, c.form, c.hdr); r.status != c.want {
				t.Errorf("%s: %d, want %d", c.name, r.status, c.want)
			}
		}
		if revs, _ := n.Store.Revisions(ctx, aid, 10); len(revs) != 4 {
			t.Errorf("refused requests changed the history: %d revisions", len(revs))
		}

		// An editor restores on a published article as a staged update.
		editor := asRole(t, n, auth.RoleEditor)
		pub := articleIn(t, n, news.StatusPublished, 0)
		pubRevs, _ := n.Store.Revisions(ctx, pub.ID, 1)
		pubBase := "/admin/articles/" + strconv.FormatInt(pub.ID, 10)
		f := form("عنوان معدّل للخبر المنشور", "فقرة", pub.Version)
		if r := editor.do(t, "POST", pubBase, f, nil); r.status != http.StatusSeeOther {
			t.Fatalf("stage: %d", r.status)
		}
		staged, _ := n.Store.GetArticle(ctx, pub.ID)
		r = editor.do(t, "POST", pubBase+"/revisions/"+strconv.FormatInt(pubRevs[0].ID, 10)+"/restore", url.Values{"version": {strconv.FormatInt(staged.Version, 10)}}, nil)
		if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=staged") {
			t.Fatalf("restore on a published article: %d %s", r.status, r.header.Get("Location"))
		}
		if live, _ := n.Store.StagedArticle(ctx, pub.ID); live.Headline != pub.Headline || !live.HasStaged {
			t.Errorf("staged after restore: %q, staged %v", live.Headline, live.HasStaged)
		}
	})
}
