package alert

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"khabar/internal/outbound"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// EmailTexts are the fixed words of alert emails, which the caller takes
// from the locale catalogue.
type EmailTexts struct {
	ReadMore    string // the link to the article
	Unsubscribe string // the footer link
}

// EmailRecipient is one address subscribed to email alerts.
type EmailRecipient struct {
	Address string
	// UnsubscribeURL is an https link that unsubscribes when opened and
	// also when POSTed to with "List-Unsubscribe=One-Click" (RFC 8058);
	// mail providers require it of bulk senders. It usually carries a
	// Tokens token.
	UnsubscribeURL string
	// UnsubscribeMailto is an optional mailto: alternative for mail
	// programs that do not use the https link.
	UnsubscribeMailto string
}

// Confirmation is the double opt-in email: the address only receives
// alerts once its owner opens URL.
type Confirmation struct {
	To string
	// Subject, Intro (why this email came), Action (the link's words) and
	// Ignore (what to do when it was not you) come from the catalogue.
	Subject, Intro, Action, Ignore string
	URL                            string // the confirm link, usually with a Tokens token
	Lang, Dir                      string
}

// mailContent is what both kinds of email show, in HTML and plain text.
type mailContent struct {
	Lang, Dir              string
	Title                  string
	Paragraphs             []string
	LinkURL, LinkLabel     string
	Note                   string
	FooterURL, FooterLabel string
}

// The HTML uses logical properties only and inherits the direction from
// dir, so one template serves Arabic and English.
var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="margin:0;padding:1em;font-family:Tahoma,Arial,sans-serif;line-height:1.7;text-align:start">
<h1 style="font-size:1.4em;margin-block:0 .6em">{{.Title}}</h1>
{{range .Paragraphs}}<p style="margin-block:0 1em">{{.}}</p>
{{end}}{{if .LinkURL}}<p style="margin-block:0 1em"><a href="{{.LinkURL}}" style="font-weight:bold">{{or .LinkLabel .LinkURL}}</a></p>
{{end}}{{if .Note}}<p style="font-size:.85em;color:#555;margin-block:0 1em">{{.Note}}</p>
{{end}}{{if .FooterURL}}<hr style="border:0;border-block-start:1px solid #ccc">
<p style="font-size:.85em"><a href="{{.FooterURL}}">{{.FooterLabel}}</a></p>
{{end}}</body>
</html>
`))

func (c *mailContent) text() string {
	var b strings.Builder
	b.WriteString(c.Title + "\n\n")
	for _, p := range c.Paragraphs {
		b.WriteString(p + "\n\n")
	}
	if c.LinkURL != "" {
		if c.LinkLabel != "" {
			b.WriteString(c.LinkLabel + ":\n")
		}
		b.WriteString(c.LinkURL + "\n\n")
	}
	if c.Note != "" {
		b.WriteString(c.Note + "\n\n")
	}
	if c.FooterURL != "" {
		b.WriteString("-- \n" + c.FooterLabel + ":\n" + c.FooterURL + "\n")
	}
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}

// paragraphs splits text on blank lines and single newlines alike: alert
// texts are short.
func paragraphs(text string) []string {
	var out []string
	for p := range strings.SplitSeq(text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// headerBreaks keeps folded lines (CRLF and a space) and turns any other
// line break into a space.
var headerBreaks = strings.NewReplacer("\r\n ", "\r\n ", "\r", " ", "\n", " ")

// composeMail writes a complete RFC 5322 message: headers (extra ones
// included), then the content as multipart/alternative text and HTML.
func composeMail(from *mail.Address, to *mail.Address, subject string, extra [][2]string, c *mailContent, now time.Time) ([]byte, error) {
	var html bytes.Buffer
	if err := mailHTML.Execute(&html, c); err != nil {
		return nil, fmt.Errorf("render email: %w", err)
	}
	return composeParts(from, to, subject, extra, c.text(), html.String(), now)
}

// composeParts writes the message of composeMail with text and html as
// they are; text's line breaks are CRLF already.
func composeParts(from *mail.Address, to *mail.Address, subject string, extra [][2]string, text, html string, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	parts := multipart.NewWriter(&b)
	_, domain, _ := strings.Cut(from.Address, "@")
	id := make([]byte, 16)
	rand.Read(id)
	headers := [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", encodeHeader(subject)},
		{"Date", now.Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + parts.Boundary() + `"`},
	}
	for _, h := range append(headers, extra...) {
		// Values are built here or checked by the callers; this is the
		// last line of defence against a header of someone else's making.
		b.WriteString(h[0] + ": " + headerBreaks.Replace(h[1]) + "\r\n")
	}
	b.WriteString("\r\n")
	for _, p := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", html}} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		// Base64 rather than quoted-printable: Arabic text would triple
		// in size as =D8=A7 escapes.
		enc := base64.StdEncoding.EncodeToString([]byte(p.body))
		for len(enc) > 76 {
			w.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		w.Write([]byte(enc + "\r\n"))
	}
	if err := parts.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeHeader encodes non-ASCII text as RFC 2047 encoded words and folds
// between them, so an Arabic subject keeps to the line length limit.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.BEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

// AlertMessage builds the email for one subscriber, with the one-click
// unsubscribe headers of RFC 8058.
func (e *Email) AlertMessage(a *Alert, to EmailRecipient) ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	rcpt, extra, err := listHeaders(to)
	if err != nil {
		return nil, err
	}
	texts := e.cfg.Texts()
	c := &mailContent{
		Lang: a.lang(), Dir: a.dir(),
		Title: a.Title, Paragraphs: paragraphs(a.Text),
		LinkURL: a.URL, LinkLabel: texts.ReadMore,
		FooterURL: to.UnsubscribeURL, FooterLabel: texts.Unsubscribe,
	}
	return composeMail(e.from, rcpt, a.Title, extra, c, time.Now())
}

// listHeaders checks a list recipient and makes the one-click unsubscribe
// headers of RFC 8058 for them.
func listHeaders(to EmailRecipient) (*mail.Address, [][2]string, error) {
	rcpt, err := mail.ParseAddress(to.Address)
	if err != nil {
		return nil, nil, fmt.Errorf("recipient %q: %w", to.Address, err)
	}
	if _, err := outbound.ParseHTTPS(to.UnsubscribeURL); err != nil {
		return nil, nil, fmt.Errorf("unsubscribe link: %w", err)
	}
	list := "<" + to.UnsubscribeURL + ">"
	if to.UnsubscribeMailto != "" {
		if !strings.HasPrefix(to.UnsubscribeMailto, "mailto:") || !cleanText(to.UnsubscribeMailto, false) || strings.ContainsAny(to.UnsubscribeMailto, "<> ") {
			return nil, nil, fmt.Errorf("unsubscribe address %q is not a mailto: URL", to.UnsubscribeMailto)
		}
		list += ", <" + to.UnsubscribeMailto + ">"
	}
	return rcpt, [][2]string{
		{"List-Unsubscribe", list},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}, nil
}

// ListMessage builds a mail of the caller's own plain text and HTML (a
// newsletter) for one subscriber of a list, with the one-click unsubscribe
// headers of RFC 8058. text's lines may end in LF; they are sent as CRLF.
func (e *Email) ListMessage(to EmailRecipient, subject, text, html string) ([]byte, error) {
	if !cleanText(subject, false) {
		return nil, fmt.Errorf("subject %q has control characters", subject)
	}
	rcpt, extra, err := listHeaders(to)
	if err != nil {
		return nil, err
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	return composeParts(e.from, rcpt, subject, extra, text, html, time.Now())
}

// ConfirmationMessage builds the double opt-in email.
func (e *Email) ConfirmationMessage(c Confirmation) ([]byte, error) {
	rcpt, err := mail.ParseAddress(c.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", c.To, err)
	}
	if _, err := outbound.ParseHTTPS(c.URL); err != nil {
		return nil, fmt.Errorf("confirm link: %w", err)
	}
	a := Alert{Lang: c.Lang, Dir: c.Dir}
	content := &mailContent{
		Lang: a.lang(), Dir: a.dir(),
		Title: c.Subject, Paragraphs: paragraphs(c.Intro),
		LinkURL: c.URL, LinkLabel: c.Action,
		Note: c.Ignore,
	}
	return composeMail(e.from, rcpt, c.Subject, nil, content, time.Now())
}
