package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"khabar/internal/news"
)

// Settings returns every stored setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT key, value FROM settings")
	list, err := collect(rows, err, "read settings", func(r rowScanner) ([2]string, error) {
		var kv [2]string
		err := r.Scan(&kv[0], &kv[1])
		return kv, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, kv := range list {
		out[kv[0]] = kv[1]
	}
	return out, nil
}

// SaveSettings upserts the given settings in one transaction.
func (s *Store) SaveSettings(ctx context.Context, kv map[string]string) error {
	return s.inEventTx(ctx, func(tx *sql.Tx) error { return s.saveSettings(ctx, tx, kv) })
}

// saveSettings upserts kv in tx and tells every node.
func (s *Store) saveSettings(ctx context.Context, tx *sql.Tx, kv map[string]string) error {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order avoids lock-order deadlocks on PostgreSQL
	rows, err := tx.QueryContext(ctx, "SELECT key, value FROM settings")
	stored, err := collect(rows, err, "settings before saving", func(r rowScanner) ([2]string, error) {
		var kv [2]string
		err := r.Scan(&kv[0], &kv[1])
		return kv, err
	})
	if err != nil {
		return err
	}
	old := map[string]string{}
	for _, kv := range stored {
		old[kv[0]] = kv[1]
	}
	var changed []string
	for _, k := range keys {
		if v, ok := old[k]; !ok || v != kv[k] {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		// The keys, not the values: some are secrets' neighbours, and
		// word lists are long.
		if err := s.writeAudit(ctx, tx, actorFrom(ctx), "settings.update", "", strings.Join(changed, ", ")); err != nil {
			return err
		}
	}
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"), k, kv[k])
		if err != nil {
			return fmt.Errorf("save setting %s: %w", k, err)
		}
	}
	return s.writeEvent(ctx, tx, news.Event{Kind: news.EventSettingsChanged})
}
