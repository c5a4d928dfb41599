package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"khabar/internal/news"
)

const redirectCols = "id, path, target, origin, created_at, updated_at"

func scanRedirect(r rowScanner) (news.Redirect, error) {
	var rd news.Redirect
	err := r.Scan(&rd.ID, &rd.Path, &rd.Target, &rd.Origin, &rd.CreatedAt, &rd.UpdatedAt)
	return rd, err
}

// RedirectTarget is where the first of keys that has a redirect leads,
// or news.ErrNotFound.
func (s *Store) RedirectTarget(ctx context.Context, keys []string) (string, error) {
	for _, k := range keys {
		var target string
		err := s.db.QueryRowContext(ctx, s.q("SELECT target FROM redirects WHERE path = ?"), k).Scan(&target)
		if err == nil {
			return target, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("redirect for %q: %w", k, err)
		}
	}
	return "", news.ErrNotFound
}

// PutImportRedirect adds or updates a redirect an import made; one an
// editor added or changed for the same address is left alone. changed
// says whether the table changed.
func (s *Store) PutImportRedirect(ctx context.Context, path, target string) (changed bool, err error) {
	n, invalid, err := s.PutImportRedirects(ctx, nil, []string{path}, target)
	if err == nil && invalid > 0 {
		rd := news.Redirect{Path: path, Target: target}
		return false, fmt.Errorf("redirect %q: %w", path, rd.Normalize())
	}
	return n > 0, err
}

// PutImportRedirects is PutImportRedirect for several old addresses of
// one new one, in one transaction with the import key of what they lead
// to (when k is not nil): an imported post has a few, and one commit for
// all is what keeps a large import fast. Addresses that cannot be
// redirects are left out and counted in invalid.
func (s *Store) PutImportRedirects(ctx context.Context, k *ImportKey, paths []string, target string) (changed, invalid int, err error) {
	t := now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed, invalid = 0, 0
		if k != nil {
			if err := s.saveImportKey(ctx, tx, *k); err != nil {
				return err
			}
		}
		for _, p := range paths {
			rd := news.Redirect{Path: p, Target: target, Origin: news.RedirectImport}
			if rd.Normalize() != nil {
				invalid++
				continue
			}
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO redirects (path, target, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (path) DO UPDATE SET target = excluded.target, updated_at = excluded.updated_at
				WHERE redirects.origin = 'import' AND redirects.target <> excluded.target`), rd.Path, rd.Target, rd.Origin, t, t)
			if err != nil {
				return fmt.Errorf("redirect %q: %w", p, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return changed, invalid, nil
}

// AddRedirect adds an editor's redirect, audited.
func (s *Store) AddRedirect(ctx context.Context, rd *news.Redirect, actor news.Actor) error {
	rd.Origin = news.RedirectManual
	if err := rd.Normalize(); err != nil {
		return fmt.Errorf("add redirect: %w", err)
	}
	rd.CreatedAt = now()
	rd.UpdatedAt = rd.CreatedAt
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, "INSERT INTO redirects (path, target, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			rd.Path, rd.Target, rd.Origin, rd.CreatedAt, rd.UpdatedAt)
		if err != nil {
			return mapConstraint(err)
		}
		rd.ID = id
		return s.writeAudit(ctx, tx, actor, "redirect.add", "redirect "+strconv.FormatInt(id, 10), rd.Path+" → "+rd.Target)
	})
	if err != nil {
		return fmt.Errorf("add redirect %q: %w", rd.Path, err)
	}
	return nil
}

// UpdateRedirect changes a redirect's addresses; it is the editor's from
// then on, so a later import leaves it alone.
func (s *Store) UpdateRedirect(ctx context.Context, rd *news.Redirect, actor news.Actor) error {
	rd.Origin = news.RedirectManual
	if err := rd.Normalize(); err != nil {
		return fmt.Errorf("update redirect %d: %w", rd.ID, err)
	}
	rd.UpdatedAt = now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE redirects SET path = ?, target = ?, origin = ?, updated_at = ? WHERE id = ?"),
			rd.Path, rd.Target, rd.Origin, rd.UpdatedAt, rd.ID)
		if err != nil {
			return mapConstraint(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.writeAudit(ctx, tx, actor, "redirect.edit", "redirect "+strconv.FormatInt(rd.ID, 10), rd.Path+" → "+rd.Target)
	})
	if err != nil {
		return fmt.Errorf("update redirect %d: %w", rd.ID, err)
	}
	return nil
}

// DeleteRedirect removes a redirect, audited.
func (s *Store) DeleteRedirect(ctx context.Context, id int64, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var path string
		err := tx.QueryRowContext(ctx, s.q("DELETE FROM redirects WHERE id = ? RETURNING path"), id).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "redirect.delete", "redirect "+strconv.FormatInt(id, 10), path)
	})
	if err != nil {
		return fmt.Errorf("delete redirect %d: %w", id, err)
	}
	return nil
}

// GetRedirect reads one redirect.
func (s *Store) GetRedirect(ctx context.Context, id int64) (*news.Redirect, error) {
	rd, err := scanRedirect(s.db.QueryRowContext(ctx, s.q("SELECT "+redirectCols+" FROM redirects WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, news.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redirect %d: %w", id, err)
	}
	return &rd, nil
}

// ListRedirects lists redirects whose old address starts with prefix
// ("" for all), by address.
func (s *Store) ListRedirects(ctx context.Context, prefix string, limit, offset int) ([]news.Redirect, int, error) {
	like := likeEscaper.Replace(prefix) + "%"
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM redirects WHERE path LIKE ? ESCAPE '\'`), like).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count redirects: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+redirectCols+` FROM redirects WHERE path LIKE ? ESCAPE '\' ORDER BY path LIMIT ? OFFSET ?`), like, limit, offset)
	list, err := collect(rows, err, "redirects", scanRedirect)
	return list, total, err
}

// PutRedirects adds an editor's redirects, or replaces the redirect of the
// same old address, in one transaction and one audit entry.
func (s *Store) PutRedirects(ctx context.Context, list []news.Redirect, actor news.Actor) (added, updated int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		t := now()
		for _, rd := range list {
			rd.Origin = news.RedirectManual
			if err := rd.Normalize(); err != nil {
				return fmt.Errorf("redirect %q: %w", rd.Path, err)
			}
			res, err := tx.ExecContext(ctx, s.q("UPDATE redirects SET target = ?, origin = ?, updated_at = ? WHERE path = ?"), rd.Target, rd.Origin, t, rd.Path)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				updated++
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO redirects (path, target, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
				rd.Path, rd.Target, rd.Origin, t, t); err != nil {
				return mapConstraint(err)
			}
			added++
		}
		return s.writeAudit(ctx, tx, actor, "redirect.import", "redirects", fmt.Sprintf("%d added, %d updated", added, updated))
	})
	if err != nil {
		return 0, 0, fmt.Errorf("import redirects: %w", err)
	}
	return added, updated, nil
}
