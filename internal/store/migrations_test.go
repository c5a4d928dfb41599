package store

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dialectOnly are the migrations, by their name after the number, that
// one database needs and the other does not. Every other migration must
// have a counterpart of the same name in the other folder, in the same
// order. The numbers differ between the folders and stay so: a database
// records the migrations it ran by file name (schema_migrations), so a
// renumbered file would run again.
var dialectOnly = map[Dialect][]string{
	SQLite: {
		// Partial matches counted the query terms an article holds
		// through a vocabulary table (now dropped again: an index lookup
		// per term is faster); PostgreSQL's postings do it.
		"search_vocab",
		// «هل تقصد» reads each term's document count: FTS5's vocabulary
		// table again, the postings on PostgreSQL.
		"search_terms",
		"drop_search_vocab",
		// An unpublished article's FTS5 row became its id negated: the
		// SQLite index is rebuilt once.
		"search_signed_rowids",
	},
	Postgres: {
		// BM25 on PostgreSQL is computed in SQL over our own postings and
		// needs the document count and total length kept up to date;
		// SQLite's FTS5 keeps both itself for bm25().
		"search_stats",
		// The postings' foreign keys made a rebuild check every posting;
		// FTS5's table never had any.
		"search_index_without_foreign_keys",
		// Each term's document count, kept as articles are indexed
		// (SQLite's FTS5 vocabulary table gives the same).
		"search_term_docs",
	},
}

func TestMigrationsPairUp(t *testing.T) {
	files := map[Dialect][]string{}
	for _, d := range []Dialect{SQLite, Postgres} {
		entries, err := fs.ReadDir(migrations, "migrations/"+string(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			// What Migrate applies, in its order.
			if strings.HasSuffix(e.Name(), ".sql") {
				files[d] = append(files[d], e.Name())
			}
		}
		slices.Sort(files[d])
	}
	for _, p := range migrationProblems(files, dialectOnly) {
		t.Error(p)
	}
}

// TestMigrationProblems shows that TestMigrationsPairUp fails for each
// way the folders can drift apart.
func TestMigrationProblems(t *testing.T) {
	only := map[Dialect][]string{Postgres: {"stats"}}
	for _, c := range []struct {
		name             string
		sqlite, postgres []string
		want             string // in the one problem reported; "" for none
	}{
		{"paired", []string{"0001_init.sql", "0002_tags.sql"}, []string{"0001_init.sql", "0002_stats.sql", "0003_tags.sql"}, ""},
		{"unpaired", []string{"0001_init.sql", "0002_tags.sql"}, []string{"0001_init.sql", "0002_stats.sql"},
			"sqlite/0002_tags.sql has no counterpart in postgres"},
		{"out of order", []string{"0001_init.sql", "0002_a.sql", "0003_b.sql"}, []string{"0001_init.sql", "0002_stats.sql", "0003_b.sql", "0004_a.sql"},
			"out of order: the 2nd migration both have is sqlite/0002_a.sql but postgres/0003_b.sql"},
		{"dialect-only in both", []string{"0001_init.sql", "0002_stats.sql"}, []string{"0001_init.sql", "0002_stats.sql"},
			`"stats" is listed as postgres only, but sqlite/0002_stats.sql has it too`},
		{"dialect-only gone", []string{"0001_init.sql"}, []string{"0001_init.sql"},
			`"stats" is listed as postgres only, but postgres has no such migration`},
		{"gap", []string{"0001_init.sql", "0003_tags.sql"}, []string{"0001_init.sql", "0002_stats.sql", "0003_tags.sql"},
			"sqlite/0003_tags.sql: numbered 3 where 2 comes next"},
		{"bad name", []string{"0001_init.sql", "2_tags.sql"}, []string{"0001_init.sql", "0002_stats.sql"},
			"sqlite/2_tags.sql: not named NNNN_name.sql"},
	} {
		got := migrationProblems(map[Dialect][]string{SQLite: c.sqlite, Postgres: c.postgres}, only)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: unexpected problems %q", c.name, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
			t.Errorf("%s: problems %q, want one with %q", c.name, got, c.want)
		}
	}
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// migrationProblems checks that the SQLite and PostgreSQL migrations
// (sorted file names) pair up by name, in order, apart from the
// dialect-only ones, and says precisely where they do not.
func migrationProblems(files map[Dialect][]string, only map[Dialect][]string) []string {
	var problems []string
	shared := map[Dialect][]string{} // file names, dialect-only ones left out
	names := map[Dialect]map[string]string{}
	for _, d := range []Dialect{SQLite, Postgres} {
		names[d] = map[string]string{}
		for i, f := range files[d] {
			m := migrationName.FindStringSubmatch(f)
			if m == nil {
				problems = append(problems, fmt.Sprintf("%s/%s: not named NNNN_name.sql", d, f))
				continue
			}
			// Gaps and repeats would leave the order to chance on the next
			// file added.
			if n, _ := strconv.Atoi(m[1]); n != i+1 {
				problems = append(problems, fmt.Sprintf("%s/%s: numbered %d where %d comes next", d, f, n, i+1))
			}
			names[d][m[2]] = f
			if !slices.Contains(only[d], m[2]) {
				shared[d] = append(shared[d], m[2])
			}
		}
	}
	for d, list := range only {
		other := otherDialect(d)
		for _, name := range list {
			if _, ok := names[d][name]; !ok {
				problems = append(problems, fmt.Sprintf("%q is listed as %s only, but %s has no such migration: take it off dialectOnly", name, d, d))
			}
			if f, ok := names[other][name]; ok {
				problems = append(problems, fmt.Sprintf("%q is listed as %s only, but %s/%s has it too: take it off dialectOnly", name, d, other, f))
			}
		}
	}
	unpaired := false
	for _, d := range []Dialect{SQLite, Postgres} {
		other := otherDialect(d)
		for _, name := range shared[d] {
			if _, ok := names[other][name]; !ok && !slices.Contains(only[other], name) {
				unpaired = true
				problems = append(problems, fmt.Sprintf("%s/%s has no counterpart in %s: add %s/NNNN_%s.sql, or list %q in dialectOnly with why only %s needs it",
					d, names[d][name], other, other, name, name, d))
			}
		}
	}
	if unpaired {
		return problems // an order check would only repeat the same files
	}
	for i := range min(len(shared[SQLite]), len(shared[Postgres])) {
		a, b := shared[SQLite][i], shared[Postgres][i]
		if a != b {
			problems = append(problems, fmt.Sprintf("out of order: the %s migration both have is %s/%s but %s/%s; both must apply shared migrations in one order",
				ordinal(i+1), SQLite, names[SQLite][a], Postgres, names[Postgres][b]))
			break // after the first swap every later pair is off as well
		}
	}
	return problems
}

func otherDialect(d Dialect) Dialect {
	if d == SQLite {
		return Postgres
	}
	return SQLite
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
