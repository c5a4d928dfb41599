// Package settings is the outlet's editable configuration: its name, how it
// writes dates, and where its channels and social accounts are. Values are
// stored as key/value rows and changed by admins in the newsroom.
package settings

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/outbound"
)

// Settings is the typed view of the settings table.
type Settings struct {
	SiteName string
	// Language is the outlet's interface language ("ar", "en"); empty
	// follows the server's --lang.
	Language    string
	Tagline     string
	TimeZone    string
	MonthStyle  locale.MonthStyle
	Digits      locale.Digits
	CommentMode news.CommentsMode
	Hijri       bool // show the Umm al-Qura date beside the Gregorian one

	// Comment rules. CommentCloseDays closes comments that many days
	// after publication (0: never). The word lists hold one word or
	// phrase per line: a blocked one refuses the comment, a held one
	// sends it to the moderators.
	CommentCloseDays int
	CommentBlock     string
	CommentHold      string
	CommentHoldLinks bool // hold comments with links
	CommentHoldFirst bool // hold a commenter's first comment

	// "Be the first to know" channels.
	WhatsAppChannel string
	TelegramChannel string
	AlertsURL       string

	// WebSubHubs lists hub URLs separated by spaces; feeds declare them and
	// they are pinged on publish.
	WebSubHubs string

	// "Follow us" accounts; each is hidden when empty.
	YouTube    string
	GoogleNews string
	X          string
	Facebook   string
	Telegram   string
	WhatsApp   string

	// How the outlet looks on phones: the colour browsers paint their bars
	// and its drawn icon in ("#rrggbb"), and the library image its
	// home-screen icons are made from (0: the drawn icon).
	ThemeColor string
	LogoMedia  int64

	// TwoFactorRequired: editors and admins must sign in with a code from
	// an authenticator; until they set one up, the newsroom opens nothing
	// else for them.
	TwoFactorRequired bool

	// HonourDoNotTrack: page views of readers whose browsers send Do Not
	// Track or Global Privacy Control are not counted (internal/analytics
	// counts without cookies and never keeps an address either way).
	HonourDoNotTrack bool
}

// Defaults are what a fresh install shows.
func Defaults() Settings {
	return Settings{
		SiteName:    "خبر",
		Tagline:     "أخبار عاجلة وتغطية مباشرة",
		TimeZone:    "Asia/Beirut",
		MonthStyle:  locale.MonthsLevant,
		Digits:      locale.DigitsLatin,
		CommentMode: news.CommentsPre,

		CommentHoldLinks: true,
		ThemeColor:       "#8c1c13", // the red of the logo and the site's accent
	}
}

// field binds a key of the table to a field of Settings.
type field struct {
	key  string
	ptr  func(*Settings) *string
	link bool // must be an absolute https URL when set
}

var fields = []field{
	{key: "site_name", ptr: func(s *Settings) *string { return &s.SiteName }},
	{key: "tagline", ptr: func(s *Settings) *string { return &s.Tagline }},
	{key: "time_zone", ptr: func(s *Settings) *string { return &s.TimeZone }},
	{key: "whatsapp_channel", ptr: func(s *Settings) *string { return &s.WhatsAppChannel }, link: true},
	{key: "telegram_channel", ptr: func(s *Settings) *string { return &s.TelegramChannel }, link: true},
	{key: "alerts_url", ptr: func(s *Settings) *string { return &s.AlertsURL }, link: true},
	{key: "websub_hubs", ptr: func(s *Settings) *string { return &s.WebSubHubs }},
	{key: "youtube", ptr: func(s *Settings) *string { return &s.YouTube }, link: true},
	{key: "google_news", ptr: func(s *Settings) *string { return &s.GoogleNews }, link: true},
	{key: "x", ptr: func(s *Settings) *string { return &s.X }, link: true},
	{key: "facebook", ptr: func(s *Settings) *string { return &s.Facebook }, link: true},
	{key: "telegram", ptr: func(s *Settings) *string { return &s.Telegram }, link: true},
	{key: "whatsapp", ptr: func(s *Settings) *string { return &s.WhatsApp }, link: true},
}

// Keys lists the keys of the table in form order.
func Keys() []string {
	out := make([]string, 0, len(fields)+3)
	for _, f := range fields {
		out = append(out, f.key)
	}
	return append(out, "lang", "month_style", "digits", "comment_mode", "hijri",
		"comment_close_days", "comment_block", "comment_hold", "comment_hold_links", "comment_hold_first",
		"theme_color", "logo_media", "two_factor_required", "honour_dnt")
}

// FromMap overlays stored values on the defaults. Unknown keys are ignored;
// invalid stored values fall back to the default, so a bad row can never
// take the site down.
func FromMap(m map[string]string) Settings {
	s := Defaults()
	for _, f := range fields {
		if v, ok := m[f.key]; ok {
			*f.ptr(&s) = v
		}
	}
	if locale.Known(m["lang"]) {
		s.Language = m["lang"]
	}
	if v := locale.MonthStyle(m["month_style"]); v.Valid() {
		s.MonthStyle = v
	}
	if v := locale.Digits(m["digits"]); v.Valid() {
		s.Digits = v
	}
	s.Hijri = m["hijri"] == "on"
	if v := news.CommentsMode(m["comment_mode"]); v != "" && v.Valid() {
		s.CommentMode = v
	}
	if n, err := strconv.Atoi(m["comment_close_days"]); err == nil && n >= 0 && n <= maxCloseDays {
		s.CommentCloseDays = n
	}
	s.CommentBlock, s.CommentHold = m["comment_block"], m["comment_hold"]
	if v, ok := m["comment_hold_links"]; ok {
		s.CommentHoldLinks = v == "on"
	}
	s.CommentHoldFirst = m["comment_hold_first"] == "on"
	s.TwoFactorRequired = m["two_factor_required"] == "on"
	s.HonourDoNotTrack = m["honour_dnt"] == "on"
	if hexColour(m["theme_color"]) {
		s.ThemeColor = m["theme_color"]
	}
	if id, ok := mediaID(m["logo_media"]); ok {
		s.LogoMedia = id
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		s.TimeZone = Defaults().TimeZone
	}
	if s.SiteName == "" {
		s.SiteName = Defaults().SiteName
	}
	return s
}

// ToMap is the inverse of FromMap.
func (s Settings) ToMap() map[string]string {
	m := map[string]string{
		"lang":                s.Language,
		"month_style":         string(s.MonthStyle),
		"digits":              string(s.Digits),
		"comment_mode":        string(s.CommentMode),
		"hijri":               onOff(s.Hijri),
		"comment_close_days":  strconv.Itoa(s.CommentCloseDays),
		"comment_block":       s.CommentBlock,
		"comment_hold":        s.CommentHold,
		"comment_hold_links":  onOff(s.CommentHoldLinks),
		"comment_hold_first":  onOff(s.CommentHoldFirst),
		"theme_color":         s.ThemeColor,
		"logo_media":          "",
		"two_factor_required": onOff(s.TwoFactorRequired),
		"honour_dnt":          onOff(s.HonourDoNotTrack),
	}
	if s.LogoMedia != 0 {
		m["logo_media"] = strconv.FormatInt(s.LogoMedia, 10)
	}
	for _, f := range fields {
		m[f.key] = *f.ptr(&s)
	}
	return m
}

// Get returns a field by key, for forms.
func (s Settings) Get(key string) string { return s.ToMap()[key] }

// Parse builds Settings from submitted form values (key → value) and
// validates them; the error lists every bad key.
func Parse(form map[string]string) (Settings, error) {
	s := Defaults()
	var v news.Invalid
	for _, f := range fields {
		val := news.CleanLine(form[f.key])
		if len([]rune(val)) > 300 {
			v.Add(f.key, "too_long")
			continue
		}
		if f.link && val != "" && !httpsURL(val) {
			v.Add(f.key, "bad_url")
		}
		*f.ptr(&s) = val
	}
	if s.SiteName = news.CleanName(s.SiteName); s.SiteName == "" {
		v.Add("site_name", "required")
	}
	for _, h := range strings.Fields(s.WebSubHubs) {
		u, err := url.Parse(h)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
			v.Add("websub_hubs", "bad_url")
		case outbound.CheckHost(u.Hostname()) != nil:
			// The pinger would refuse it when connecting; say so now.
			v.Add("websub_hubs", "private_address")
		}
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || strings.EqualFold(s.TimeZone, "local") {
		v.Add("time_zone", "bad_time_zone")
	}
	s.Hijri = form["hijri"] == "on"
	if s.Language = form["lang"]; s.Language != "" && !locale.Known(s.Language) {
		v.Add("lang", "unknown")
	}
	if s.MonthStyle = locale.MonthStyle(form["month_style"]); !s.MonthStyle.Valid() {
		v.Add("month_style", "unknown")
	}
	if s.Digits = locale.Digits(form["digits"]); !s.Digits.Valid() {
		v.Add("digits", "unknown")
	}
	if s.CommentMode = news.CommentsMode(form["comment_mode"]); s.CommentMode == "" || !s.CommentMode.Valid() {
		v.Add("comment_mode", "unknown")
	}
	if days := strings.TrimSpace(form["comment_close_days"]); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxCloseDays {
			v.Add("comment_close_days", "bad_number")
		}
		s.CommentCloseDays = n
	}
	for key, ptr := range map[string]*string{"comment_block": &s.CommentBlock, "comment_hold": &s.CommentHold} {
		words := WordList(form[key])
		if len(strings.Join(words, "\n")) > maxWordList {
			v.Add(key, "too_long")
		}
		*ptr = strings.Join(words, "\n")
	}
	s.CommentHoldLinks = form["comment_hold_links"] == "on"
	s.CommentHoldFirst = form["comment_hold_first"] == "on"
	s.TwoFactorRequired = form["two_factor_required"] == "on"
	s.HonourDoNotTrack = form["honour_dnt"] == "on"
	// A colour picker always sends a colour; an empty one is an older form.
	if c := strings.ToLower(strings.TrimSpace(form["theme_color"])); c != "" {
		if !hexColour(c) {
			v.Add("theme_color", "bad_colour")
		}
		s.ThemeColor = c
	}
	if id, ok := mediaID(form["logo_media"]); ok {
		s.LogoMedia = id
	} else {
		v.Add("logo_media", "bad_logo")
	}
	if err := v.Err(); err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// CheckLogo is nil when the chosen logo can become the outlet's icons
// (see media.Iconable), or a validation error of logo_media saying why not;
// lookup finds a library image. Any other error is the store's.
func (s Settings) CheckLogo(ctx context.Context, lookup func(context.Context, int64) (*news.Media, error)) error {
	if s.LogoMedia == 0 {
		return nil
	}
	var v news.Invalid
	m, err := lookup(ctx, s.LogoMedia)
	switch {
	case errors.Is(err, news.ErrNotFound):
		v.Add("logo_media", "logo_missing")
	case err != nil:
		return fmt.Errorf("check the logo, media %d: %w", s.LogoMedia, err)
	default:
		if err := media.Iconable(m); err != nil {
			v.Add("logo_media", "logo_"+media.Code(err))
		}
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// hexColour accepts the "#rrggbb" of a colour picker, in lower case.
func hexColour(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// mediaID reads a library image's id as typed: empty or "0" is none.
func mediaID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, true
	}
	if len(s) > 18 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// Limits of the comment settings.
const (
	maxCloseDays = 3650
	maxWordList  = 20000 // bytes: a few thousand words
)

// WordList splits a word list as typed (one per line, or separated by
// commas, Arabic ones included) into clean, distinct entries.
func WordList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '،' }) {
		if w = news.CleanLine(w); w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// Hubs is the list of WebSub hubs.
func (s Settings) Hubs() []string { return strings.Fields(s.WebSubHubs) }

// DateFormat is how pages write dates under these settings.
func (s Settings) DateFormat() locale.DateFormat {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return locale.DateFormat{Months: s.MonthStyle, Digits: s.Digits, Location: loc, Hijri: s.Hijri}
}

// Link is a labelled outbound link.
type Link struct {
	Key   string // icon and catalogue key: "youtube", "telegram", …
	URL   string
	Label string // filled by the caller from the catalogue
}

// Follow lists the configured "follow us" accounts in display order.
func (s Settings) Follow() []Link {
	return nonEmpty([]Link{{Key: "youtube", URL: s.YouTube}, {Key: "google_news", URL: s.GoogleNews},
		{Key: "x", URL: s.X}, {Key: "facebook", URL: s.Facebook}, {Key: "telegram", URL: s.Telegram}, {Key: "whatsapp", URL: s.WhatsApp}})
}

// Channels lists the configured "be the first to know" channels.
func (s Settings) Channels() []Link {
	return nonEmpty([]Link{{Key: "whatsapp_channel", URL: s.WhatsAppChannel}, {Key: "telegram_channel", URL: s.TelegramChannel},
		{Key: "alerts", URL: s.AlertsURL}})
}

func nonEmpty(ls []Link) []Link {
	out := ls[:0]
	for _, l := range ls {
		if l.URL != "" {
			out = append(out, l)
		}
	}
	return out
}
