package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"khabar/internal/arabic"
	"khabar/internal/news"
)

const mediaCols = "id, path, mime, width, height, alt, caption, credit, created_at, variants, sha256, bytes, frames, sizes_state"

func scanMedia(r rowScanner) (news.Media, error) {
	var (
		m                 news.Media
		variants, sizesSt string
		sum               sql.NullString
	)
	if err := r.Scan(&m.ID, &m.Path, &m.MIME, &m.Width, &m.Height, &m.Alt, &m.Caption, &m.Credit, &m.CreatedAt, &variants,
		&sum, &m.Bytes, &m.Frames, &sizesSt); err != nil {
		return m, err
	}
	m.SHA256, m.SizesState = sum.String, news.SizesState(sizesSt)
	return m, decodeVariants(variants, &m)
}

// derived is the variants column: every file made from the original.
type derived struct {
	Crops map[string]news.MediaVariant `json:"crops,omitempty"`
	Sizes []news.MediaSize             `json:"sizes,omitempty"`
}

// decodeVariants reads the variants column into m's crops and sizes.
func decodeVariants(s string, m *news.Media) error {
	if s == "" || s == "{}" {
		return nil
	}
	var d derived
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return fmt.Errorf("media %d: bad variants: %w", m.ID, err)
	}
	m.Variants, m.Sizes = d.Crops, d.Sizes
	return nil
}

func encodeVariants(crops map[string]news.MediaVariant, sizes []news.MediaSize) (string, error) {
	b, err := json.Marshal(derived{Crops: crops, Sizes: sizes})
	return string(b), err
}

// Longest texts of a media item: alt text is read aloud, a caption sits
// under the picture, a credit is a name or two.
const (
	maxAlt     = 500
	maxCaption = 1000
	maxCredit  = 200
)

// cleanMediaText tidies alt, caption and credit and refuses overlong ones.
func cleanMediaText(m *news.Media) error {
	m.Alt, m.Caption, m.Credit = news.CleanLine(m.Alt), news.CleanLine(m.Caption), news.CleanLine(m.Credit)
	fields := map[string]string{}
	for _, f := range []struct {
		name, text string
		max        int
	}{{"alt", m.Alt, maxAlt}, {"caption", m.Caption, maxCaption}, {"credit", m.Credit, maxCredit}} {
		if utf8.RuneCountInString(f.text) > f.max {
			fields[f.name] = "too_long"
		}
	}
	if len(fields) > 0 {
		return &news.InvalidError{Fields: fields}
	}
	return nil
}

// searchText is what the library's search matches: the three texts
// through the same normaliser as the query, so «الاسد» finds «الأسد».
func searchText(m *news.Media) string {
	return arabic.Normalize(m.Alt + " " + m.Caption + " " + m.Credit)
}

// CreateMedia records a stored file. A file whose SHA256 is already
// recorded is refused with news.ErrDuplicate (MediaBySHA256 finds the
// record to reuse). A file whose sizes are pending comes with a
// media.added event in the same transaction, so the job that makes them
// is never lost.
func (s *Store) CreateMedia(ctx context.Context, m *news.Media) error {
	if err := cleanMediaText(m); err != nil {
		return fmt.Errorf("create media %s: %w", m.Path, err)
	}
	m.CreatedAt = now()
	if m.Frames < 1 {
		m.Frames = 1
	}
	variants, err := encodeVariants(m.Variants, m.Sizes)
	if err != nil {
		return fmt.Errorf("create media %s: %w", m.Path, err)
	}
	write := s.inTx
	if m.SizesState == news.SizesPending {
		write = s.inEventTx
	}
	return write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO media (path, mime, width, height, alt, caption, credit, created_at, variants,
			sha256, bytes, frames, sizes_state, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Path, m.MIME, m.Width, m.Height, m.Alt, m.Caption, m.Credit, m.CreatedAt, variants,
			nullString(m.SHA256), m.Bytes, m.Frames, string(m.SizesState), searchText(m))
		if err != nil {
			return fmt.Errorf("create media %s: %w", m.Path, mapConstraint(err))
		}
		m.ID = id
		if err := s.writeAudit(ctx, tx, actorFrom(ctx), "media.upload", "media "+strconv.FormatInt(id, 10), m.Path); err != nil {
			return err
		}
		if m.SizesState == news.SizesPending {
			return s.writeEvent(ctx, tx, news.Event{Kind: news.EventMediaAdded, Media: id})
		}
		return nil
	})
}

// GetMedia reads one media record.
func (s *Store) GetMedia(ctx context.Context, id int64) (*news.Media, error) {
	return s.oneMedia(ctx, "id = ?", id)
}

// MediaBySHA256 finds the upload of a file with this digest.
func (s *Store) MediaBySHA256(ctx context.Context, sum string) (*news.Media, error) {
	return s.oneMedia(ctx, "sha256 = ?", sum)
}

func (s *Store) oneMedia(ctx context.Context, where string, arg any) (*news.Media, error) {
	m, err := scanMedia(s.db.QueryRowContext(ctx, s.q("SELECT "+mediaCols+" FROM media WHERE "+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("media %v: %w", arg, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("media %v: %w", arg, err)
	}
	return &m, nil
}

// MediaByIDs reads several media records at once, keyed by id.
func (s *Store) MediaByIDs(ctx context.Context, ids []int64) (map[int64]news.Media, error) {
	return s.mediaByIDs(ctx, s.db, ids)
}

func (s *Store) mediaByIDs(ctx context.Context, db querier, ids []int64) (map[int64]news.Media, error) {
	out := make(map[int64]news.Media, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]byte, 0, 3*len(ids))
	for i, id := range ids {
		args[i] = id
		if i > 0 {
			ph = append(ph, ',')
		}
		ph = append(ph, '?')
	}
	rows, err := db.QueryContext(ctx, s.q("SELECT "+mediaCols+" FROM media WHERE id IN ("+string(ph)+")"), args...)
	list, err := collect(rows, err, "media by ids", scanMedia)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		out[m.ID] = m
	}
	return out, nil
}

// ListMedia returns the newest media first.
func (s *Store) ListMedia(ctx context.Context, limit, offset int) ([]news.Media, error) {
	return s.SearchMedia(ctx, MediaFilter{Limit: limit, Offset: offset})
}

// MediaFilter selects media for the library: every word of Query must
// appear in the alt text, caption or credit.
type MediaFilter struct {
	Query  string
	Limit  int
	Offset int
}

// maxMediaWords bounds the conditions one search adds.
const maxMediaWords = 8

func (f MediaFilter) where() (string, []any) {
	var sb strings.Builder
	var args []any
	words := strings.Fields(arabic.Normalize(news.CleanLine(f.Query)))
	for _, w := range words[:min(len(words), maxMediaWords)] {
		sb.WriteString(` AND search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(w)+"%")
	}
	return " WHERE 1 = 1" + sb.String(), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchMedia returns the media f selects, newest first.
func (s *Store) SearchMedia(ctx context.Context, f MediaFilter) ([]news.Media, error) {
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+mediaCols+" FROM media"+where+" ORDER BY id DESC LIMIT ? OFFSET ?"),
		append(args, f.Limit, f.Offset)...)
	return collect(rows, err, "search media", scanMedia)
}

// CountMedia counts the media f selects, ignoring its limit and offset.
func (s *Store) CountMedia(ctx context.Context, f MediaFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM media"+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count media: %w", err)
	}
	return n, nil
}

// UpdateMediaText saves alt text, caption and credit, and refreshes the
// public pages that show the image.
func (s *Store) UpdateMediaText(ctx context.Context, m *news.Media) error {
	if err := cleanMediaText(m); err != nil {
		return fmt.Errorf("update media %d: %w", m.ID, err)
	}
	return s.changeMedia(ctx, m.ID, "alt = ?, caption = ?, credit = ?, search_text = ?", m.Alt, m.Caption, m.Credit, searchText(m))
}

// SetMediaSizes records the sizes made of an image (or that making them
// failed), and refreshes the public pages that show it.
func (s *Store) SetMediaSizes(ctx context.Context, id int64, sizes []news.MediaSize, st news.SizesState) error {
	var crops string
	if err := s.db.QueryRowContext(ctx, s.q("SELECT variants FROM media WHERE id = ?"), id).Scan(&crops); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = news.ErrNotFound
		}
		return fmt.Errorf("set sizes of media %d: %w", id, err)
	}
	m := news.Media{ID: id}
	if err := decodeVariants(crops, &m); err != nil {
		return err
	}
	variants, err := encodeVariants(m.Variants, sizes)
	if err != nil {
		return fmt.Errorf("set sizes of media %d: %w", id, err)
	}
	return s.changeMedia(ctx, id, "variants = ?, sizes_state = ?", variants, string(st))
}

// changeMedia updates one media row and, in the same transaction, writes
// an article.updated event for every public article showing it, so cached
// pages, feeds and the search index follow.
func (s *Store) changeMedia(ctx context.Context, id int64, set string, args ...any) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE media SET "+set+" WHERE id = ?"), append(args, id)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return news.ErrNotFound
		}
		users, err := s.articlesShowing(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, u := range users {
			a := news.Article{ID: u.id}
			if a.Tags, err = s.articleTags(ctx, tx, u.id); err != nil {
				return err
			}
			if a.Authors, err = s.articleAuthors(ctx, tx, u.id); err != nil {
				return err
			}
			// A featured image is on the cards of every list the article is in.
			if err := s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticleUpdated, ArticleID: u.id, Listing: u.featured,
				Sections: []int64{u.section}, Tags: tagIDs(a.Tags), Authors: authorIDs(a.Authors)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update media %d: %w", id, err)
	}
	return nil
}

type mediaUser struct {
	id, section int64
	featured    bool
}

// articlesShowing lists the public articles that show media id, as the
// featured image or in an image block (found in the body's JSON, where
// the id is followed by a comma or the end of the block).
func (s *Store) articlesShowing(ctx context.Context, db querier, id int64) ([]mediaUser, error) {
	key := `%"media_id":` + strconv.FormatInt(id, 10)
	rows, err := db.QueryContext(ctx, s.q("SELECT id, section_id, featured_id FROM articles WHERE status = ? AND (featured_id = ? OR body LIKE ? OR body LIKE ?)"),
		string(news.StatusPublished), id, key+",%", key+"}%")
	return collect(rows, err, fmt.Sprintf("articles showing media %d", id), func(r rowScanner) (mediaUser, error) {
		var (
			u    mediaUser
			feat sql.NullInt64
		)
		err := r.Scan(&u.id, &u.section, &feat)
		u.featured = feat.Int64 == id
		return u, err
	})
}

// MediaShownPublicly reports whether a public article shows media id.
func (s *Store) MediaShownPublicly(ctx context.Context, id int64) (bool, error) {
	users, err := s.articlesShowing(ctx, s.db, id)
	return len(users) > 0, err
}

// PendingMedia lists media waiting for their sizes, oldest first, for the
// worker that makes them to resume after a restart.
func (s *Store) PendingMedia(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id FROM media WHERE sizes_state = ? ORDER BY id LIMIT ?"), string(news.SizesPending), limit)
	return collect(rows, err, "pending media", scanOne[int64])
}

// checkImageTexts refuses to make public an article whose featured image
// or image blocks lack alt text, a caption or a credit (a block's own text
// stands in for the library's). The fields name each image: "featured",
// and "body.N" for the Nth block, with "body" set as well.
func (s *Store) checkImageTexts(ctx context.Context, db querier, a *news.Article) error {
	if !a.IsPublic() {
		return nil
	}
	var ids []int64
	if a.FeaturedID > 0 {
		ids = append(ids, a.FeaturedID)
	}
	for _, b := range a.Body {
		if b.Type == news.BlockImage {
			ids = append(ids, b.MediaID)
		}
	}
	media, err := s.mediaByIDs(ctx, db, ids)
	if err != nil {
		return err
	}
	complete := func(alt, caption, credit string) bool { return alt != "" && caption != "" && credit != "" }
	fields := map[string]string{}
	if m, ok := media[a.FeaturedID]; ok && !complete(m.Alt, m.Caption, m.Credit) {
		fields["featured"] = "featured_incomplete"
	}
	for i, b := range a.Body {
		m, ok := media[b.MediaID]
		if b.Type != news.BlockImage || !ok {
			continue
		}
		if !complete(cmp.Or(b.Alt, m.Alt), cmp.Or(b.Caption, m.Caption), cmp.Or(b.Credit, m.Credit)) {
			fields["body."+strconv.Itoa(i)] = "image_incomplete"
			fields["body"] = "images_incomplete"
		}
	}
	if len(fields) > 0 {
		return &news.InvalidError{Fields: fields}
	}
	return nil
}
