package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/comment"
	"khabar/internal/news"
	"khabar/internal/web"
)

// maxCommentRequest bounds a posted comment: 2000 characters of text
// and the other fields fit many times over.
const maxCommentRequest = 64 << 10

type commentJSON struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	Body      string        `json:"body"`
	CreatedAt string        `json:"created_at"`
	Replies   []commentJSON `json:"replies,omitempty"`
}

type commentsResponse struct {
	ArticleID int64         `json:"article_id"`
	Count     int           `json:"count"`
	Page      int           `json:"page"`
	Pages     int           `json:"pages"`
	Comments  []commentJSON `json:"comments"`
}

func toJSON(c news.Comment) commentJSON {
	out := commentJSON{ID: c.ID, Name: c.Name, Body: c.Body, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339)}
	for _, r := range c.Replies {
		out.Replies = append(out.Replies, toJSON(r))
	}
	return out
}

// commentsPerPage matches the site's pages of comments.
const commentsPerPage = 20

// publicArticle reads the published article of the path, or answers 404.
func (a *API) publicArticle(w http.ResponseWriter, r *http.Request) *news.Article {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		web.JSONError(w, http.StatusNotFound, "no such article")
		return nil
	}
	art, err := a.store.GetArticle(r.Context(), id)
	if err == nil && art.Status != news.StatusPublished {
		err = news.ErrNotFound
	}
	if err != nil {
		a.fail(w, r, err)
		return nil
	}
	return art
}

// listComments is GET /api/v1/articles/{id}/comments?page=&sort=newest|oldest:
// approved comments, each with its replies.
func (a *API) listComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, perr := intParam(q.Get("page"), 1, 1, 10000)
	if perr != "" {
		web.JSONError(w, http.StatusBadRequest, "page: "+perr)
		return
	}
	oldest := false
	switch q.Get("sort") {
	case "", "newest":
	case "oldest":
		oldest = true
	default:
		web.JSONError(w, http.StatusBadRequest, "sort: must be newest or oldest")
		return
	}
	art := a.publicArticle(w, r)
	if art == nil {
		return
	}
	items, total, err := a.store.PublicComments(r.Context(), art.ID, oldest, commentsPerPage, (page-1)*commentsPerPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := commentsResponse{ArticleID: art.ID, Count: art.CommentCount, Page: page,
		Pages: max(1, (total+commentsPerPage-1)/commentsPerPage), Comments: []commentJSON{}}
	for _, c := range items {
		out.Comments = append(out.Comments, toJSON(c))
	}
	web.JSON(w, http.StatusOK, "public, max-age=10", out)
}

// commentToken is GET /api/v1/articles/{id}/comments/token: a fresh form
// token; a comment is accepted a few seconds after it, not before.
func (a *API) commentToken(w http.ResponseWriter, r *http.Request) {
	art := a.publicArticle(w, r)
	if art == nil {
		return
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]string{"token": a.comments.Token(art.ID)})
}

type postedComment struct {
	Name     jsonText `json:"name"`
	Email    jsonText `json:"email"`
	Body     jsonText `json:"body"`
	ParentID int64    `json:"parent_id"`
	Notify   bool     `json:"notify"`
	Token    string   `json:"token"`
	Website  string   `json:"website"`
}

type commentResult struct {
	ID      int64             `json:"id,omitempty"`
	Status  string            `json:"status,omitempty"`
	Parent  int64             `json:"parent,omitempty"`
	Error   string            `json:"error,omitempty"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Token is a fresh form token for the next comment, after one was
	// taken or when the one sent cannot be sent again.
	Token string `json:"token,omitempty"`
	// RequestID names the log lines of a server's fault.
	RequestID string `json:"request_id,omitempty"`
}

// postComment is POST /api/v1/articles/{id}/comments with a JSON body
// (or a form), under exactly the rules of the site's form.
func (a *API) postComment(w http.ResponseWriter, r *http.Request) {
	art := a.publicArticle(w, r)
	if art == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentRequest)
	var sub comment.Submission
	ip := web.ClientIP(r)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var p postedComment
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				web.JSONError(w, http.StatusRequestEntityTooLarge, "body: larger than "+strconv.Itoa(maxCommentRequest)+" bytes")
				return
			}
			web.JSONError(w, http.StatusBadRequest, "body: invalid JSON")
			return
		}
		var v news.Invalid
		for field, t := range map[string]jsonText{"name": p.Name, "email": p.Email, "body": p.Body} {
			if t.bad {
				v.Add(field, "bad_encoding")
			}
		}
		if err := v.Err(); err != nil {
			a.commentRefused(w, r, art, err)
			return
		}
		sub = comment.Submission{ArticleID: art.ID, ParentID: max(p.ParentID, 0), Name: p.Name.s, Email: p.Email.s, Body: p.Body.s,
			Notify: p.Notify, Token: p.Token, Honeypot: p.Website, IP: ip}
	} else {
		if err := r.ParseForm(); err != nil {
			web.JSONError(w, http.StatusRequestEntityTooLarge, "body: unreadable or larger than "+strconv.Itoa(maxCommentRequest)+" bytes")
			return
		}
		sub = comment.FromForm(art.ID, ip, r.PostForm.Get)
	}
	c, err := a.comments.Post(r.Context(), sub)
	if err == nil {
		msg := "comment_pending"
		if c.Status == news.CommentApproved {
			msg = "comment_published"
		}
		web.JSON(w, http.StatusCreated, "no-store", commentResult{ID: c.ID, Status: string(c.Status), Parent: c.ParentID, Message: a.cat.T(msg),
			Token: a.comments.Token(art.ID)})
		return
	}
	a.commentRefused(w, r, art, err)
}

// commentRefused answers why a comment was not taken: the bad fields, a
// refusal's code, or, for the server's faults, only that it failed.
func (a *API) commentRefused(w http.ResponseWriter, r *http.Request, art *news.Article, err error) {
	status := web.Status(err)
	res := commentResult{}
	var (
		ie *news.InvalidError
		ce *comment.Error
	)
	switch {
	case errors.As(err, &ie):
		res.Error, res.Fields = "invalid", ie.Fields
		var parts []string
		for _, f := range []string{"name", "email", "body"} {
			if code, ok := ie.Fields[f]; ok {
				parts = append(parts, a.cat.T("comment_"+f)+": "+a.cat.T("err_"+code))
			}
		}
		res.Message = strings.Join(parts, " ")
	case errors.As(err, &ce):
		res.Error, res.Message = ce.Code, ce.Message(a.cat, a.settings.Get().Digits)
		if ce.NeedsToken() {
			res.Token = a.comments.Token(art.ID)
		}
		if ce.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ce.RetrySeconds()))
		}
	default:
		a.log.ErrorContext(r.Context(), "api post comment", "article", art.ID, "err", err)
		res.Error, res.Message, res.RequestID = "internal", a.cat.T("comment_failed"), web.RequestIDFrom(r.Context())
	}
	web.JSON(w, status, "no-store", res)
}

// jsonText is a JSON string as the reader sent it. encoding/json turns
// invalid UTF-8, and escapes of half a surrogate pair, into U+FFFD, which
// would change what was typed without a word; such text is marked bad
// instead, to be refused as news.CleanComment refuses it in a form.
type jsonText struct {
	s   string
	bad bool
}

func (t *jsonText) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &t.s); err != nil {
		return err
	}
	t.bad = !utf8.Valid(b) || loneSurrogate(b)
	return nil
}

// loneSurrogate reports whether the JSON string b escapes half of a
// surrogate pair: a high one not followed by the escape of a low one, or
// a low one on its own. encoding/json has checked the escapes already.
func loneSurrogate(b []byte) bool {
	awaiting := false // the last character was a high surrogate
	for i := 0; i < len(b); i++ {
		var r uint64 // a \u escape's code unit, else 0
		if b[i] == '\\' {
			i++
			if b[i] == 'u' {
				r, _ = strconv.ParseUint(string(b[i+1:i+5]), 16, 16)
				i += 4
			}
		}
		if low := r >= 0xDC00 && r < 0xE000; low != awaiting {
			return true
		}
		awaiting = r >= 0xD800 && r < 0xDC00
	}
	return awaiting
}
