package newsletter

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
)

// mailWidth is the mail's content width in pixels: what every mail
// program shows without scrolling.
const mailWidth = 600

// issueMail is an issue as each recipient gets it, but for Unsubscribe.
type issueMail struct {
	Lang, Dir, Align string // Align: the start side, which Outlook needs spelt out
	SiteName, Home   string
	ListName         string
	Subject          string
	Intro            []string
	Stories          []story
	Why              string // why the reader gets this mail
	UnsubscribeLabel string
	Unsubscribe      string // the recipient's own link
}

type story struct {
	Kicker, Title, Lead, URL string
	Image                    *mailImage
}

type mailImage struct {
	URL           string
	Width, Height int
	Alt           string
}

// The HTML is what mail programs render alike: nested tables, inline
// styles, no style sheet or script, the direction and language set on
// html, body and every table (Outlook reads them from the table), and
// images with their size and text.
var mailHTML = template.Must(template.New("issue").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="x-apple-disable-message-reformatting"><title>{{.Subject}}</title></head>
<body dir="{{.Dir}}" lang="{{.Lang}}" style="margin:0;padding:0;background-color:#f2f2f2;">
<table role="presentation" dir="{{.Dir}}" lang="{{.Lang}}" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f2f2f2;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" dir="{{.Dir}}" lang="{{.Lang}}" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;">
<tr><td align="{{.Align}}" style="padding:20px 24px 4px;font-family:Tahoma,Arial,sans-serif;font-size:24px;font-weight:bold;color:#9b1c1c;text-align:{{.Align}};"><a href="{{.Home}}" style="color:#9b1c1c;text-decoration:none;">{{.SiteName}}</a></td></tr>
<tr><td align="{{.Align}}" style="padding:0 24px 12px;font-family:Tahoma,Arial,sans-serif;font-size:15px;color:#555555;text-align:{{.Align}};">{{.ListName}}</td></tr>
{{- range .Intro}}
<tr><td align="{{$.Align}}" style="padding:0 24px 12px;font-family:Tahoma,Arial,sans-serif;font-size:16px;line-height:1.8;color:#222222;text-align:{{$.Align}};">{{.}}</td></tr>
{{- end}}
{{- range .Stories}}
<tr><td align="{{$.Align}}" style="padding:16px 24px;border-top:1px solid #e3e3e3;font-family:Tahoma,Arial,sans-serif;text-align:{{$.Align}};">
{{- if .Image}}<a href="{{.URL}}"><img src="{{.Image.URL}}" width="{{.Image.Width}}" height="{{.Image.Height}}" alt="{{.Image.Alt}}" style="display:block;width:100%;max-width:{{.Image.Width}}px;height:auto;border:0;margin:0 0 10px;"></a>{{end}}
{{- if .Kicker}}<p style="margin:0 0 4px;font-size:13px;color:#9b1c1c;">{{.Kicker}}</p>{{end}}
<h2 style="margin:0 0 6px;font-size:19px;line-height:1.5;font-weight:bold;"><a href="{{.URL}}" style="color:#111111;text-decoration:none;">{{.Title}}</a></h2>
{{- if .Lead}}<p style="margin:0;font-size:15px;line-height:1.8;color:#333333;">{{.Lead}}</p>{{end}}
</td></tr>
{{- end}}
<tr><td align="{{.Align}}" style="padding:16px 24px 24px;border-top:1px solid #e3e3e3;font-family:Tahoma,Arial,sans-serif;font-size:13px;line-height:1.7;color:#666666;text-align:{{.Align}};">{{.Why}}<br><a href="{{.Unsubscribe}}" style="color:#666666;">{{.UnsubscribeLabel}}</a></td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`))

// text is the plain-text part: the same stories, each with its link.
func (m *issueMail) text() string {
	var b strings.Builder
	b.WriteString(m.SiteName + " — " + m.ListName + "\n" + m.Subject + "\n\n")
	for _, p := range m.Intro {
		b.WriteString(p + "\n\n")
	}
	for _, s := range m.Stories {
		if s.Kicker != "" {
			b.WriteString(s.Kicker + "\n")
		}
		b.WriteString("• " + s.Title + "\n")
		if s.Lead != "" {
			b.WriteString(s.Lead + "\n")
		}
		b.WriteString(s.URL + "\n\n")
	}
	b.WriteString("-- \n" + m.Why + "\n" + m.UnsubscribeLabel + ":\n" + m.Unsubscribe + "\n")
	return b.String()
}

// compose builds what every recipient of an issue shares: its stories as
// they are now (a story withdrawn since is left out).
func (s *Service) compose(ctx context.Context, is *news.NewsletterIssue, l *news.NewsletterList) (*issueMail, error) {
	arts, err := s.Store.ArticlesByIDs(ctx, is.Articles)
	if err != nil {
		return nil, err
	}
	m := &issueMail{Lang: s.Cat.Lang(), Dir: s.Cat.Dir(), Align: "left", SiteName: s.SiteName(), Home: s.Base + "/",
		ListName: l.Name, Subject: is.Subject, Why: s.Cat.T("newsletter_why", l.Name), UnsubscribeLabel: s.Cat.T("newsletter_unsubscribe_link")}
	if m.Dir == "rtl" {
		m.Align = "right"
	}
	for p := range strings.SplitSeq(is.Intro, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			m.Intro = append(m.Intro, p)
		}
	}
	for _, id := range is.Articles {
		a := arts[id]
		if a == nil || a.Status != news.StatusPublished {
			continue
		}
		st := story{Kicker: a.Kicker, Title: a.Headline, Lead: a.Lead, URL: s.Base + news.ArticlePath(a)}
		if l.CountClicks {
			st.URL = s.clickURL(is.ID, a.ID)
		}
		if f := a.Featured; f != nil && f.Width > 0 && f.Height > 0 && mailImageTypes[f.MIME] {
			w := min(f.Width, mailWidth-48)
			st.Image = &mailImage{URL: s.Base + "/media/" + f.Path, Width: w, Height: f.Height * w / f.Width, Alt: f.Alt}
		}
		m.Stories = append(m.Stories, st)
	}
	return m, nil
}

// mailImageTypes are the formats every mail program shows (Outlook shows
// no WebP).
var mailImageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true}

// render gives the mail's HTML and text for one recipient's unsubscribe
// link.
func (m *issueMail) render(unsubscribe string) (html, text string, err error) {
	c := *m
	c.Unsubscribe = unsubscribe
	var b bytes.Buffer
	if err := mailHTML.Execute(&b, &c); err != nil {
		return "", "", fmt.Errorf("render newsletter: %w", err)
	}
	return b.String(), c.text(), nil
}

// Preview is an issue exactly as it is sent, for a sample recipient.
type Preview struct {
	Subject, HTML, Text string
}

// previewAddress is the sample recipient of previews; its unsubscribe
// link is real but names nobody.
const previewAddress = "preview@example.invalid"

// Preview renders an issue as its recipients will get it.
func (s *Service) Preview(ctx context.Context, issueID int64) (*Preview, error) {
	is, err := s.Store.GetNewsletterIssue(ctx, issueID)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.GetNewsletterList(ctx, is.ListID)
	if err != nil {
		return nil, err
	}
	m, err := s.compose(ctx, is, l)
	if err != nil {
		return nil, err
	}
	html, text, err := m.render(s.UnsubscribeURL(previewAddress, l.ID))
	if err != nil {
		return nil, err
	}
	return &Preview{Subject: is.Subject, HTML: html, Text: text}, nil
}

// clickURL is a story's link through the counting redirect, signed so it
// leads to that story of that issue and nowhere else.
func (s *Service) clickURL(issueID, articleID int64) string {
	subject := strconv.FormatInt(issueID, 10) + "." + strconv.FormatInt(articleID, 10)
	return s.Base + "/newsletter/click?token=" + s.Tokens.Make(subject, purposeClick, time.Now().Add(clickLife))
}

// Click counts a click of a signed story link and returns where it leads:
// the story's page, if it is still one of the issue's published stories.
func (s *Service) Click(ctx context.Context, token string) (string, error) {
	subject, err := s.Tokens.Verify(token, purposeClick, time.Now())
	if err != nil {
		return "", err
	}
	is, a, ok := strings.Cut(subject, ".")
	issueID, err1 := strconv.ParseInt(is, 10, 64)
	articleID, err2 := strconv.ParseInt(a, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return "", fmt.Errorf("click token %q: %w", subject, news.ErrMalformed)
	}
	arts, err := s.Store.ArticlesByIDs(ctx, []int64{articleID})
	if err != nil {
		return "", err
	}
	art := arts[articleID]
	if art == nil || art.Status != news.StatusPublished {
		return "", fmt.Errorf("clicked story %d: %w", articleID, news.ErrGone)
	}
	if err := s.Store.CountNewsletterClick(ctx, issueID, articleID); err != nil {
		return "", err
	}
	return s.Base + news.ArticlePath(art), nil
}
