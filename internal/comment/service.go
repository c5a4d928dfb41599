package comment

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/throttle"
)

// Service takes comments from readers through every check.
type Service struct {
	store    *store.Store
	key      []byte
	settings *settings.Live
	now      func() time.Time

	// ByIP and ByArticle bound how fast one address, and everybody on
	// one article, can post: a flood is refused before it costs a write.
	ByIP      *throttle.Limiter
	ByArticle *throttle.Limiter
	// MinFill is the least time between getting a form token and
	// posting: people read and type, scripts post at once. MaxAge is how
	// long a token stays good.
	MinFill time.Duration
	MaxAge  time.Duration

	// decisions counts what became of submissions, for the metrics.
	decisions *prometheus.CounterVec

	rulesMu  sync.Mutex
	rulesOf  [2]string // the word lists the cached rules were built from
	rulesNow Rules
}

// rules are the settings' rules, analysed again only when the word
// lists change.
func (s *Service) rules(st settings.Settings) Rules {
	s.rulesMu.Lock()
	defer s.rulesMu.Unlock()
	if lists := [2]string{st.CommentBlock, st.CommentHold}; lists != s.rulesOf || s.rulesNow.block == nil && s.rulesNow.hold == nil {
		s.rulesOf, s.rulesNow = lists, NewRules(st)
	}
	r := s.rulesNow
	r.HoldLinks, r.HoldFirst = st.CommentHoldLinks, st.CommentHoldFirst
	return r
}

// secretName is the stored key that hashes addresses and signs tokens.
const secretName = "comment_key"

// New makes the service, creating its key on first use.
func New(ctx context.Context, st *store.Store, current *settings.Live) (*Service, error) {
	k, err := st.Key(ctx, secretName)
	if err != nil {
		return nil, err
	}
	return &Service{store: st, key: k, settings: current, now: time.Now,
		ByIP: throttle.NewLimiter(5, 20*time.Second), ByArticle: throttle.NewLimiter(60, 250*time.Millisecond),
		MinFill: 3 * time.Second, MaxAge: 48 * time.Hour, decisions: newDecisions()}, nil
}

// mac is the keyed hash of the parts, joined unambiguously.
func (s *Service) mac(parts ...string) []byte {
	h := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// HashIP stands in for a reader's address: stable, so bans and history
// work, and useless without the key.
func (s *Service) HashIP(ip string) string { return hex.EncodeToString(s.mac("ip", ip)[:16]) }

// identity is who a commenter is, as far as we can tell: their e-mail
// address when they gave one, else their name from their address.
func (s *Service) identity(c *news.Comment) string {
	if c.Email != "" {
		return hex.EncodeToString(s.mac("email", c.Email)[:16])
	}
	return hex.EncodeToString(s.mac("name", normalisedBody(c.Name), c.IPHash)[:16])
}

// Token is a fresh form token for an article's comment form: when it was
// made, the article, a random nonce, and a signature of the three. It is
// good for one comment (see Post), from MinFill after it was made until
// MaxAge. A page cached for many readers carries one token for all of
// them: the page's script fetches its own, and a reader without one who
// posts a token someone spent gets the form back with a fresh one.
func (s *Service) Token(articleID int64) string {
	var b [12]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	ts, article, nonce := strconv.FormatInt(s.now().Unix(), 36), strconv.FormatInt(articleID, 36), base64.RawURLEncoding.EncodeToString(b[:])
	return ts + "." + article + "." + nonce + "." + s.tokenSig(ts, article, nonce)
}

func (s *Service) tokenSig(ts, article, nonce string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("form", ts, article, nonce)[:16])
}

// formToken is a checked token: what Post spends.
type formToken struct {
	nonce  string
	issued time.Time
}

func (s *Service) checkToken(tok string, articleID int64) (formToken, error) {
	p := strings.Split(tok, ".")
	if len(tok) > 64 || len(p) != 4 || !hmac.Equal([]byte(p[3]), []byte(s.tokenSig(p[0], p[1], p[2]))) {
		return formToken{}, &Error{Code: CodeBadToken}
	}
	issued, err := strconv.ParseInt(p[0], 36, 64)
	if err != nil {
		return formToken{}, &Error{Code: CodeBadToken}
	}
	if article, err := strconv.ParseInt(p[1], 36, 64); err != nil || article != articleID {
		return formToken{}, &Error{Code: CodeOtherArticle}
	}
	age := s.now().Sub(time.Unix(issued, 0))
	switch {
	case age < s.MinFill:
		return formToken{}, &Error{Code: CodeTooFast, RetryAfter: s.MinFill - age}
	case age > s.MaxAge:
		return formToken{}, &Error{Code: CodeExpired}
	}
	return formToken{nonce: p[2], issued: time.Unix(issued, 0)}, nil
}

// Submission is a comment as posted, with what came with it.
type Submission struct {
	ArticleID int64
	ParentID  int64
	Name      string
	Email     string
	Body      string
	Notify    bool
	Token     string
	Honeypot  string // a field people never see, so never fill
	IP        string
}

// FromForm reads a comment as the site's form (or the API's form body,
// through get) names its fields.
func FromForm(articleID int64, ip string, get func(string) string) Submission {
	parent, _ := strconv.ParseInt(get("parent_id"), 10, 64)
	return Submission{ArticleID: articleID, ParentID: max(parent, 0), Name: get("name"), Email: get("email"), Body: get("body"),
		Notify: get("notify") == "on" || get("notify") == "true", Token: get("token"), Honeypot: get("website"), IP: ip}
}

// Post checks a submission and stores it as approved or pending. It
// returns an *Error for a refusal and a *news.InvalidError for bad fields.
func (s *Service) Post(ctx context.Context, sub Submission) (*news.Comment, error) {
	c, err := s.post(ctx, sub)
	s.count(c, err)
	return c, err
}

func (s *Service) post(ctx context.Context, sub Submission) (*news.Comment, error) {
	if sub.Honeypot != "" {
		return nil, &Error{Code: CodeSpam}
	}
	tok, err := s.checkToken(sub.Token, sub.ArticleID)
	if err != nil {
		return nil, err
	}
	// A replay is refused before it takes anyone's place in the rate
	// limits; PostComment below makes sure of it, whichever node wins.
	if spent, err := s.store.CommentTokenSpent(ctx, tok.nonce); err != nil {
		return nil, err
	} else if spent {
		return nil, &Error{Code: CodeTokenUsed}
	}
	c := &news.Comment{ArticleID: sub.ArticleID, ParentID: sub.ParentID, Name: sub.Name, Email: sub.Email, Body: sub.Body,
		Notify: sub.Notify && sub.Email != "", IPHash: s.HashIP(sub.IP)}
	if !s.ByIP.Take(c.IPHash) {
		return nil, &Error{Code: CodeRateIP, RetryAfter: 20 * time.Second}
	}
	if !s.ByArticle.Take(strconv.FormatInt(sub.ArticleID, 10)) {
		return nil, &Error{Code: CodeRateArticle, RetryAfter: 5 * time.Second}
	}
	if err := news.CleanComment(c); err != nil {
		return nil, err
	}
	c.Identity = s.identity(c)
	c.BodyHash = hex.EncodeToString(s.mac("body", normalisedBody(c.Body))[:16])
	a, err := s.store.GetArticle(ctx, sub.ArticleID)
	if errors.Is(err, news.ErrNotFound) || err == nil && a.Status != news.StatusPublished {
		return nil, &Error{Code: CodeNotFound}
	}
	if err != nil {
		return nil, err
	}
	st := s.settings.Get()
	at := s.now()
	mode := Mode(a, st, at)
	if mode == news.CommentsClosed {
		return nil, &Error{Code: CodeClosed}
	}
	facts, err := s.store.CommentFacts(ctx, c, at)
	if err != nil {
		return nil, err
	}
	if facts.Banned {
		return nil, &Error{Code: CodeBanned}
	}
	v, err := Decide(mode, s.rules(st), Facts{HasApproved: facts.HasApproved, Duplicate: facts.Duplicate}, c)
	if err != nil {
		return nil, err
	}
	c.Status, c.HeldFor = v.Status, v.HeldFor
	switch err := s.store.PostComment(ctx, c, store.FormToken{Nonce: tok.nonce, Lapses: tok.issued.Add(s.MaxAge)}); {
	case errors.Is(err, store.ErrTokenSpent):
		return nil, &Error{Code: CodeTokenUsed}
	case errors.Is(err, store.ErrParentGone):
		return nil, &Error{Code: CodeParentGone}
	case errors.Is(err, news.ErrNotFound):
		return nil, &Error{Code: CodeNotFound}
	case err != nil:
		return nil, err
	}
	return c, nil
}

// Report records a reader's report of a comment.
func (s *Service) Report(ctx context.Context, id int64, ip string) error {
	ipHash := s.HashIP(ip)
	if !s.ByIP.Take("report:" + ipHash) {
		return &Error{Code: CodeRateIP, RetryAfter: 20 * time.Second}
	}
	if err := s.store.ReportComment(ctx, id, ipHash); errors.Is(err, news.ErrNotFound) {
		return &Error{Code: CodeNotFound}
	} else if err != nil {
		return err
	}
	return nil
}

// Unreport takes back the report the reader at ip made of comment id (a
// mistaken click); one never made is nothing to take back.
func (s *Service) Unreport(ctx context.Context, id int64, ip string) error {
	return s.store.UnreportComment(ctx, id, s.HashIP(ip))
}
