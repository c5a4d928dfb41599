package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/arabic"
	"khabar/internal/news"
	"khabar/internal/wire"
)

const wireCols = `w.id, w.guid, w.version, w.format, w.source, w.provider, w.headline, w.lead, w.slugline, w.dateline, w.located,
	w.byline, w.creditline, w.copyright, w.ednote, w.language, w.subjects, w.signals, w.body_html, w.body_text, w.status,
	w.embargoed, w.version_created, w.first_created, w.urgency, w.previous_version, w.received_at, w.latest`

func scanWire(r rowScanner) (wire.Stored, error) {
	var (
		w                             wire.Stored
		subjects, signals, status     string
		embargoed, created, firstMade sql.NullTime
	)
	err := r.Scan(&w.ID, &w.GUID, &w.Version, &w.Format, &w.Source, &w.Provider, &w.Headline, &w.Lead, &w.Slugline, &w.Dateline, &w.Located,
		&w.Byline, &w.Creditline, &w.Copyright, &w.EdNote, &w.Language, &subjects, &signals, &w.BodyHTML, &w.BodyText, &status,
		&embargoed, &created, &firstMade, &w.Urgency, &w.PreviousVersion, &w.ReceivedAt, &w.Latest)
	if err != nil {
		return w, err
	}
	w.Status = wire.Status(status)
	w.Embargoed, w.VersionCreated, w.FirstCreated = embargoed.Time, created.Time, firstMade.Time
	if err := json.Unmarshal([]byte(subjects), &w.Subjects); err != nil {
		return w, fmt.Errorf("wire item %d: bad subjects: %w", w.ID, err)
	}
	if err := json.Unmarshal([]byte(signals), &w.Signals); err != nil {
		return w, fmt.Errorf("wire item %d: bad signals: %w", w.ID, err)
	}
	return w, nil
}

// WireIn is an item to keep, and where it came from: "folder", or
// "push:" and the agency.
type WireIn struct {
	Item   wire.Item
	Source string
}

// WireKept is what AddWires made of one item: its id on the desk, and
// whether it is new (false: the same content under its GUID was kept
// before, and id is that one's).
type WireKept struct {
	ID    int64
	GUID  string
	Added bool
}

// AddWire is AddWires of one item.
func (s *Store) AddWire(ctx context.Context, it wire.Item, source string) (id int64, added bool, err error) {
	kept, err := s.AddWires(ctx, []WireIn{{Item: it, Source: source}})
	if err != nil {
		return 0, false, err
	}
	return kept[0].ID, kept[0].Added, nil
}

// preparedWire is an item with what is worked out before its
// transaction: its digest, encoded lists and search terms.
type preparedWire struct {
	WireIn
	digest, subjects, signals string
	terms                     []string
}

// AddWires keeps items, each with its search terms, all or none in one
// transaction (an agency's file or push is taken whole), and tells the
// desk of each new one (wire.arrived). The same content under the same
// GUID again is not added twice. A new newest version of a GUID that
// articles were made from flags those articles (WireNotice).
func (s *Store) AddWires(ctx context.Context, in []WireIn) ([]WireKept, error) {
	prepared := make([]preparedWire, len(in))
	for i, w := range in {
		subjects, err := json.Marshal(orEmpty(w.Item.Subjects))
		if err != nil {
			return nil, fmt.Errorf("add wire %s: %w", w.Item.GUID, err)
		}
		signals, err := json.Marshal(orEmpty(w.Item.Signals))
		if err != nil {
			return nil, fmt.Errorf("add wire %s: %w", w.Item.GUID, err)
		}
		terms := arabic.Terms(w.Item.Text())
		slices.Sort(terms)
		prepared[i] = preparedWire{WireIn: w, digest: w.Item.Digest(), subjects: string(subjects), signals: string(signals), terms: slices.Compact(terms)}
	}
	var kept []WireKept
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		kept = kept[:0]
		for _, p := range prepared {
			k, err := s.addWire(ctx, tx, p)
			if err != nil {
				return fmt.Errorf("add wire %s: %w", p.Item.GUID, err)
			}
			kept = append(kept, k)
		}
		// The events last: writing one takes the outbox's lock (see
		// writeEvent), which other writers then wait for until commit.
		for _, k := range kept {
			if k.Added {
				if err := s.writeEvent(ctx, tx, news.Event{Kind: news.EventWireArrived, Wire: k.ID}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add %d wire items: %w", len(in), err)
	}
	return kept, nil
}

func (s *Store) addWire(ctx context.Context, tx *sql.Tx, p preparedWire) (WireKept, error) {
	it := p.Item
	k := WireKept{GUID: it.GUID}
	// Two nodes taking the same push at once: one inserts, the other
	// finds it (the unique key waits for the first to commit).
	id, err := s.insert(ctx, tx, `INSERT INTO wire_items (guid, version, digest, format, source, provider, headline, lead, slugline, dateline,
		located, byline, creditline, copyright, ednote, language, subjects, signals, body_html, body_text, status, embargoed, version_created,
		first_created, urgency, previous_version, received_at, latest)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (guid, digest) DO NOTHING`,
		it.GUID, it.Version, p.digest, it.Format, p.Source, it.Provider, it.Headline, it.Lead, it.Slugline, it.Dateline,
		it.Located, it.Byline, it.Creditline, it.Copyright, it.EdNote, it.Language, p.subjects, p.signals, it.BodyHTML, it.BodyText,
		string(it.Status), nullTime(it.Embargoed), nullTime(it.VersionCreated), nullTime(it.FirstCreated), it.Urgency, it.PreviousVersion, now(), false)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, s.q("SELECT id FROM wire_items WHERE guid = ? AND digest = ?"), it.GUID, p.digest).Scan(&k.ID)
		return k, err
	}
	if err != nil {
		return k, mapConstraint(err)
	}
	k.ID, k.Added = id, true
	for chunk := range slices.Chunk(p.terms, 200) {
		args := make([]any, 0, 2*len(chunk))
		for _, t := range chunk {
			args = append(args, t, id)
		}
		q := "INSERT INTO wire_terms (term, wire_id) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
			return k, fmt.Errorf("terms: %w", err)
		}
	}
	// The newest version is the one with the highest number; an older
	// one arriving late stays behind it.
	res, err := tx.ExecContext(ctx, s.q(`UPDATE wire_items SET latest = (id = ?) WHERE guid = ?
		AND NOT EXISTS (SELECT 1 FROM wire_items n WHERE n.guid = ? AND n.id <> ? AND n.version > ?)`), id, it.GUID, it.GUID, id, it.Version)
	if err != nil {
		return k, err
	}
	if newest, _ := res.RowsAffected(); newest > 0 {
		if _, err := tx.ExecContext(ctx, s.q("UPDATE wire_articles SET notice_id = ? WHERE guid = ? AND wire_id <> ?"), id, it.GUID, id); err != nil {
			return k, err
		}
	}
	return k, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WireFilter narrows the desk's list of newest versions.
type WireFilter struct {
	Provider string
	// Query is searched with the Arabic analyser: an item holds every term.
	Query string
	// Before is a cursor: items received before it (with BeforeID
	// breaking ties).
	Before   time.Time
	BeforeID int64
	Limit    int
}

// Wires lists the newest version of each GUID, newest first.
func (s *Store) Wires(ctx context.Context, f WireFilter) ([]wire.Stored, error) {
	var (
		where = []string{"w.latest = ?"}
		args  = []any{true}
	)
	if f.Provider != "" {
		where = append(where, "w.provider = ?")
		args = append(args, f.Provider)
	}
	if !f.Before.IsZero() {
		where = append(where, "(w.received_at < ? OR w.received_at = ? AND w.id < ?)")
		args = append(args, utc(f.Before), utc(f.Before), f.BeforeID)
	}
	if f.Query != "" {
		terms := arabic.Terms(f.Query)
		slices.Sort(terms)
		terms = slices.Compact(terms)
		if len(terms) == 0 {
			return nil, nil // only stop words: nothing to find
		}
		where = append(where, "w.id IN (SELECT wire_id FROM wire_terms WHERE term IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(terms)), ", ")+
			") GROUP BY wire_id HAVING COUNT(*) = ?)")
		for _, t := range terms {
			args = append(args, t)
		}
		args = append(args, len(terms))
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+wireCols+" FROM wire_items w WHERE "+strings.Join(where, " AND ")+
		" ORDER BY w.received_at DESC, w.id DESC LIMIT ?"), args...)
	return collect(rows, err, "wire items", scanWire)
}

// Wire reads one wire item, or news.ErrNotFound.
func (s *Store) Wire(ctx context.Context, id int64) (wire.Stored, error) {
	w, err := scanWire(s.db.QueryRowContext(ctx, s.q("SELECT "+wireCols+" FROM wire_items w WHERE w.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("wire item %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("wire item %d: %w", id, err)
	}
	return w, nil
}

// WireVersions are every version kept of guid, newest first.
func (s *Store) WireVersions(ctx context.Context, guid string) ([]wire.Stored, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+wireCols+" FROM wire_items w WHERE w.guid = ? ORDER BY w.version DESC, w.id DESC"), guid)
	return collect(rows, err, "versions of wire "+guid, scanWire)
}

// WireProviders are the agencies items came from, for the desk's filter.
func (s *Store) WireProviders(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT provider FROM wire_items WHERE provider <> '' ORDER BY provider")
	return collect(rows, err, "wire providers", scanOne[string])
}

// WireArticles are the ids of the articles made from guid, oldest first.
func (s *Store) WireArticles(ctx context.Context, guid string) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT article_id FROM wire_articles WHERE guid = ? ORDER BY created_at, article_id"), guid)
	return collect(rows, err, "articles of wire "+guid, scanOne[int64])
}

// CreateArticleFromWire creates a (a draft) and records that it was made
// from wire item w, in one transaction.
func (s *Store) CreateArticleFromWire(ctx context.Context, a *news.Article, w wire.Stored) error {
	return s.createArticle(ctx, a, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO wire_articles (guid, article_id, wire_id, created_at) VALUES (?, ?, ?, ?)"),
			w.GUID, a.ID, w.ID, now())
		return err
	})
}

// WireNotice is what an agency sent about an article's wire since the
// article was made: a later version, or a kill (canceled) or withheld
// notice.
type WireNotice struct {
	Item wire.Stored
	// Made is the version the article was made from.
	Made int64
}

// ArticleWireNotice is the notice not yet seen on article id, nil when
// there is none.
func (s *Store) ArticleWireNotice(ctx context.Context, id int64) (*WireNotice, error) {
	var noticeID, made int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT wa.notice_id, w.version FROM wire_articles wa JOIN wire_items w ON w.id = wa.wire_id
		WHERE wa.article_id = ? AND wa.notice_id IS NOT NULL AND (wa.seen_id IS NULL OR wa.seen_id <> wa.notice_id)
		ORDER BY wa.created_at DESC LIMIT 1`), id).Scan(&noticeID, &made)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wire notice of article %d: %w", id, err)
	}
	item, err := s.Wire(ctx, noticeID)
	if err != nil {
		return nil, err
	}
	return &WireNotice{Item: item, Made: made}, nil
}

// SeeWireNotice records that an editor has seen article id's notices.
func (s *Store) SeeWireNotice(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, s.q("UPDATE wire_articles SET seen_id = notice_id WHERE article_id = ?"), id); err != nil {
		return fmt.Errorf("see wire notice of article %d: %w", id, err)
	}
	return nil
}

// ArticleEmbargo is the latest embargo the agency set on the wires
// article id was made from (its newest versions'), zero when none.
func (s *Store) ArticleEmbargo(ctx context.Context, id int64) (time.Time, error) {
	return s.articleEmbargo(ctx, s.db, id)
}

func (s *Store) articleEmbargo(ctx context.Context, db querier, id int64) (time.Time, error) {
	var t sql.NullTime
	err := db.QueryRowContext(ctx, s.q(`SELECT w.embargoed FROM wire_articles wa JOIN wire_items w ON w.guid = wa.guid AND w.latest = ?
		WHERE wa.article_id = ? AND w.embargoed IS NOT NULL ORDER BY w.embargoed DESC LIMIT 1`), true, id).Scan(&t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("embargo of article %d: %w", id, err)
	}
	return t.Time, nil
}

// WireAgency is an agency that pushes its copy with a token of its own.
type WireAgency struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the token works
	LastPushAt time.Time // zero: never pushed
}

const wireAgencyCols = "id, name, created_at, revoked_at, last_push_at"

func scanWireAgency(r rowScanner) (WireAgency, error) {
	var (
		a             WireAgency
		revoked, push sql.NullTime
	)
	err := r.Scan(&a.ID, &a.Name, &a.CreatedAt, &revoked, &push)
	a.RevokedAt, a.LastPushAt = revoked.Time, push.Time
	return a, err
}

// AddWireAgency records an agency pushing with the token whose hash is
// tokenHash; news.ErrDuplicate when the name is taken.
func (s *Store) AddWireAgency(ctx context.Context, name, tokenHash string, by news.Actor) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.insert(ctx, tx, "INSERT INTO wire_agencies (name, token_hash, created_at) VALUES (?, ?, ?)", name, tokenHash, now()); err != nil {
			return mapConstraint(err)
		}
		return s.writeAudit(ctx, tx, by, "wire_agency.add", "wire agency "+strconv.FormatInt(id, 10), name)
	})
	if err != nil {
		return 0, fmt.Errorf("add wire agency %q: %w", name, err)
	}
	return id, nil
}

// WireAgencies lists the agencies, revoked ones too, by name.
func (s *Store) WireAgencies(ctx context.Context) ([]WireAgency, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+wireAgencyCols+" FROM wire_agencies ORDER BY name")
	return collect(rows, err, "wire agencies", scanWireAgency)
}

// RevokeWireAgency stops agency id's token working.
func (s *Store) RevokeWireAgency(ctx context.Context, id int64, by news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "UPDATE wire_agencies SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now(), id); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, by, "wire_agency.revoke", "wire agency "+strconv.FormatInt(id, 10), "")
	})
	if err != nil {
		return fmt.Errorf("revoke wire agency %d: %w", id, err)
	}
	return nil
}

// WireAgencyByToken is the agency whose working token hashes to
// tokenHash, its last push noted; news.ErrNotFound when none.
func (s *Store) WireAgencyByToken(ctx context.Context, tokenHash string) (WireAgency, error) {
	a, err := scanWireAgency(s.db.QueryRowContext(ctx, s.q(`UPDATE wire_agencies SET last_push_at = ? WHERE token_hash = ? AND revoked_at IS NULL
		RETURNING `+wireAgencyCols), now(), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("wire agency token: %w", news.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("wire agency token: %w", err)
	}
	return a, nil
}

// DeleteOldWires deletes the wire items received before cutoff, with
// their search terms, but none of a story articles were made from: their
// notices and embargo still matter. It reports how many went.
func (s *Store) DeleteOldWires(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM wire_items WHERE received_at < ? AND guid NOT IN (SELECT guid FROM wire_articles)"), utc(cutoff))
	if err != nil {
		return 0, fmt.Errorf("delete old wire items: %w", err)
	}
	return res.RowsAffected()
}
