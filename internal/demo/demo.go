// Package demo loads a fictional outlet's newsroom into an empty database,
// so a fresh install shows what Khabar looks like with real-sized content.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"time"

	"khabar/internal/auth"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
)

// Image sizes: 16:9 for featured pictures, as cards and social previews crop.
const (
	imageWidth  = 1200
	imageHeight = 675
)

// Result tells what Load did.
type Result struct {
	Loaded        bool // false when the database already had content
	Articles      int
	AdminEmail    string
	AdminPassword string // generated; shown once to the operator
}

// Load fills the database if it has no sections yet; otherwise it does
// nothing, so `serve --demo` is safe to run every time.
func Load(ctx context.Context, s *store.Store, files media.Store) (Result, error) {
	existing, err := s.ListSections(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if len(existing) > 0 {
		return Result{}, nil
	}
	secIDs := map[string]int64{}
	for i, sp := range sections {
		sec := news.Section{Slug: sp.Slug, Name: sp.Name, Position: i}
		if err := s.CreateSection(ctx, &sec); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		secIDs[sp.Slug] = sec.ID
	}
	authorIDs := map[string]int64{}
	for _, ap := range authors {
		au := news.Author{Slug: ap.Slug, Name: ap.Name, Bio: ap.Bio}
		if err := s.CreateAuthor(ctx, &au); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		authorIDs[ap.Slug] = au.ID
	}
	n := 0
	image := func(caption, alt, credit string, hue int) (int64, error) {
		n++
		m := news.Media{MIME: "image/svg+xml", Width: imageWidth, Height: imageHeight, Alt: alt, Caption: caption, Credit: credit,
			Variants: map[string]news.MediaVariant{}}
		// The original is 16:9; 4:3 and 1:1 crops are what Google asks of
		// article images.
		for _, v := range []struct {
			ratio string
			w, h  int
		}{{"16x9", imageWidth, imageHeight}, {"4x3", imageWidth, imageWidth * 3 / 4}, {"1x1", imageWidth, imageWidth}} {
			name := "demo/" + strconv.Itoa(n) + "-" + v.ratio + ".svg"
			svg := placeholderSVG(caption, hue, v.w, v.h)
			if _, err := files.Put(ctx, name, bytes.NewReader(svg)); err != nil {
				return 0, fmt.Errorf("demo: write %s: %w", name, err)
			}
			m.Variants[v.ratio] = news.MediaVariant{Path: name, Width: v.w, Height: v.h}
			if v.ratio == "16x9" {
				m.Path, m.Bytes = name, int64(len(svg))
			}
		}
		if err := s.CreateMedia(ctx, &m); err != nil {
			return 0, fmt.Errorf("demo: %w", err)
		}
		return m.ID, nil
	}
	now := time.Now()
	// Oldest first, so ids grow with publication time as on a real site.
	order := make([]int, len(articles))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return articles[order[x]].HoursAgo > articles[order[y]].HoursAgo })
	for _, i := range order {
		sp := articles[i]
		featured, err := image(sp.Image.Caption, sp.Image.Alt, "خبر", sp.Image.Hue)
		if err != nil {
			return Result{}, err
		}
		body := make([]news.Block, len(sp.Body))
		copy(body, sp.Body)
		for j := range body {
			if body[j].Type == news.BlockImage && body[j].MediaID == 0 {
				id, err := image(body[j].Caption, body[j].Alt, body[j].Credit, (sp.Image.Hue+150)%360)
				if err != nil {
					return Result{}, err
				}
				body[j].MediaID = id
			}
		}
		at := now.Add(-time.Duration(sp.HoursAgo) * time.Hour)
		a := news.Article{Kicker: sp.Kicker, Headline: sp.Headline, Lead: sp.Lead, Body: body, SectionID: secIDs[sp.Section],
			Source: sp.Source, Breaking: sp.Breaking, FeaturedID: featured, Status: news.StatusPublished,
			PublishedAt: at, UpdatedAt: at, Live: sp.Headline == liveHeadline}
		for _, slug := range sp.Authors {
			a.Authors = append(a.Authors, news.Author{ID: authorIDs[slug]})
		}
		for _, t := range sp.Tags {
			a.Tags = append(a.Tags, news.Tag{Name: t})
		}
		if err := s.CreateArticle(ctx, &a); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		if a.Live {
			if err := loadLiveBlog(ctx, s, a.ID, now, authorIDs); err != nil {
				return Result{}, err
			}
		}
	}
	for _, text := range tickerItems {
		if err := s.CreateTicker(ctx, &news.TickerItem{Text: text}); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for _, p := range demoPages() {
		if err := s.AddPage(ctx, &p, news.Actor{Name: "demo"}); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	st := settings.Defaults()
	st.WhatsAppChannel = "https://whatsapp.com/channel/khabar-demo"
	st.TelegramChannel = "https://t.me/khabar_demo"
	st.YouTube = "https://www.youtube.com/@khabar-demo"
	st.GoogleNews = "https://news.google.com/publications/khabar-demo"
	st.X = "https://x.com/khabar_demo"
	st.Facebook = "https://www.facebook.com/khabar.demo"
	st.Telegram = "https://t.me/khabar_demo"
	if err := s.SaveSettings(ctx, st.ToMap()); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	res := Result{Loaded: true, Articles: len(articles), AdminEmail: "admin@khabar.example"}
	if users, err := s.CountUsers(ctx); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	} else if users == 0 {
		pw := randomPassword()
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return Result{}, err
		}
		u := auth.User{Email: res.AdminEmail, Name: "مدير التحرير", Role: auth.RoleAdmin, PasswordHash: hash}
		if err := s.CreateUser(ctx, &u); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		res.AdminPassword = pw
	}
	return res, nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
