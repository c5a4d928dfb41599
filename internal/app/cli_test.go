package app_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/store"
)

func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o600)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	data := filepath.Join(dir, "data")
	archive, restored := filepath.Join(dir, "backup.tar.gz"), filepath.Join(dir, "restored")

	cases := []struct {
		name   string
		env    map[string]string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version", nil, "", []string{"version"}, 0, "khabar ", ""},
		{"help", nil, "", []string{"help"}, 0, "usage: khabar", ""},
		{"unknown command", nil, "", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"bad flag", nil, "", []string{"serve", "--nope"}, 2, "", "flag provided but not defined"},
		{"bad addr", nil, "", []string{"serve", "--addr", "nowhere"}, 2, "", `--addr "nowhere"`},
		{"stray argument", nil, "", []string{"migrate", "--data", data, "extra"}, 2, "", `unexpected argument "extra"`},
		{"migrate", nil, "", []string{"migrate", "--data", data}, 0, "applied 0001_init.sql", ""},
		{"migrate again", nil, "", []string{"migrate", "--data", data}, 0, "up to date", ""},
		{"data dir under a file", nil, "", []string{"migrate", "--data", filepath.Join(blocker, "sub")}, 1, "", "cannot be created"},
		{"env config", map[string]string{"KHABAR_DATA": data}, "", []string{"migrate"}, 0, "up to date", ""},
		{"unreachable database", nil, "", []string{"migrate", "--data", data, "--db", "postgres://khabar:hunter2secret@127.0.0.1:1/news?connect_timeout=2"}, 1, "", "cannot reach PostgreSQL at 127.0.0.1:1/news"},
		{"busy port", nil, "", []string{"serve", "--data", data, "--addr", busy.Addr().String()}, 1, "", "already in use"},
		{"user add", nil, "a long enough password\n", []string{"user", "add", "--data", data, "--email", "Editor@Example.com", "--name", "محررة", "--role", "editor"}, 0, "editor@example.com (editor)", ""},
		{"user duplicate", nil, "a long enough password\n", []string{"user", "add", "--data", data, "--email", "editor@example.com", "--name", "x", "--role", "editor"}, 1, "", "already exists"},
		{"user bad role", nil, "a long enough password\n", []string{"user", "add", "--data", data, "--email", "a@b.co", "--name", "x", "--role", "king"}, 2, "", `unknown role "king"`},
		{"user bad email", nil, "a long enough password\n", []string{"user", "add", "--data", data, "--email", "not an email", "--name", "x", "--role", "writer"}, 2, "", "invalid email"},
		{"user missing flags", nil, "", []string{"user", "add", "--data", data}, 2, "", "missing"},
		{"user short password", nil, "short\n", []string{"user", "add", "--data", data, "--email", "w@b.co", "--name", "x", "--role", "writer"}, 1, "", "too short"},
		{"user no password", nil, "", []string{"user", "add", "--data", data, "--email", "w@b.co", "--name", "x", "--role", "writer"}, 1, "", "no password on standard input"},
		{"user without add", nil, "", []string{"user"}, 2, "", "khabar user add"},
		{"reset-password without email", nil, "", []string{"user", "reset-password", "--data", data}, 2, "", "missing --email"},
		{"reset-password of nobody", nil, "a long enough password\n", []string{"user", "reset-password", "--data", data, "--email", "nobody@example.com"}, 1, "", "no user with email nobody@example.com"},
		{"reset-password too short", nil, "short\n", []string{"user", "reset-password", "--data", data, "--email", "editor@example.com"}, 1, "", "too short"},
		{"reset-password", nil, "another long password\n", []string{"user", "reset-password", "--data", data, "--email", " Editor@Example.com"}, 0, "password of editor@example.com (editor) changed; their sessions have ended and their API tokens are revoked", ""},
		{"writer", nil, "a long enough password\n", []string{"user", "add", "--data", data, "--email", "writer@example.com", "--name", "كاتب", "--role", "writer"}, 0, "writer@example.com (writer)", ""},
		{"token for a writer", nil, "", []string{"token", "create", "--data", data, "--email", "writer@example.com", "--name", "feed"}, 1, "", "writer@example.com is a writer: only editors and admins hold API tokens"},
		{"demo", nil, "", []string{"demo", "--data", data}, 0, "demo content loaded", ""},
		{"demo twice", nil, "", []string{"demo", "--data", data}, 0, "already has content", ""},
		{"backup of nothing", nil, "", []string{"backup", "--data", filepath.Join(dir, "none"), "--out", archive}, 1, "", "no database at"},
		{"backup", nil, "", []string{"backup", "--data", data, "--out", archive}, 0, "backup written to " + archive, ""},
		{"backup over a file", nil, "", []string{"backup", "--data", data, "--out", archive}, 1, "", "exists already"},
		{"media without migrate", nil, "", []string{"media"}, 2, "", "khabar media migrate --to"},
		{"media migrate without to", nil, "", []string{"media", "migrate", "--data", data}, 2, "", "--to s3://bucket/prefix is required"},
		{"media migrate to a folder", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}, "", []string{"media", "migrate", "--data", data, "--to", "/tmp/x"}, 2, "", "want s3://bucket"},
		{"media migrate without keys", nil, "", []string{"media", "migrate", "--data", data, "--to", "s3://bucket/site"}, 2, "", "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"serve on an unreachable bucket", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}, "", []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--media-store", "s3://bucket/site", "--media-s3-endpoint", "http://127.0.0.1:1", "--media-s3-path-style"}, 1, "", "the bucket does not answer"},
		{"restore without file", nil, "", []string{"restore", "--data", restored}, 2, "", "missing FILE"},
		{"restore a non-archive", nil, "", []string{"restore", blocker, "--data", restored}, 1, "", "not a Khabar backup"},
		{"restore", nil, "", []string{"restore", archive, "--data", restored}, 0, "articles      33 (manifest 33)", ""},
		{"restore over an outlet", nil, "", []string{"restore", archive, "--data", restored}, 1, "", "not empty"},
		{"restore forced", nil, "", []string{"restore", archive, "--data", restored, "--force"}, 0, "(manifest 33)", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := apptest.Run(t, c.env, c.stdin, c.args...)
			if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errs, c.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
			if strings.Contains(out+errs, "hunter2secret") {
				t.Error("password leaked into output")
			}
		})
	}
}

// TestImportAndReindexCommands: the import command reads a JSON Lines
// file into the database and prints its summary, reindex indexes what is
// there, and bad arguments are refused. What the importer makes of each
// record is tested in internal/importer, on both databases.
func TestImportAndReindexCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "in.jsonl")
	lines := []string{
		`{"id": "a-1", "title": "مهرجان الزيتون يفتتح دورته", "body": "فقرة أولى\nفقرة ثانية <b>بخط</b>", "category": "culture", "category_ar": "ثقافة", "date": "2016-12-16T21:23:00+01:00", "tags": ["مهرجانات"]}`,
		`{"id": 7, "title": "خبر برقم", "body": "نص", "date": "2017-01-02"}`,
		`{"id": "a-1", "title": "مكرر", "body": "نص"}`,
		`not json at all`,
		``,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := apptest.Run(t, nil, "", "import", "jsonl", file, "--data", data)
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	for _, want := range []string{"read 4, imported 2, skipped 2", "id already imported", "not a JSON object"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = apptest.Run(t, nil, "", "reindex", "--data", data)
	if code != 0 || !strings.Contains(out, "indexed 2 articles") {
		t.Errorf("reindex: %d %s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"import"}, 2, "khabar import jsonl FILE"},
		{[]string{"import", "jsonl", "--data", data}, 2, "missing FILE"},
		{[]string{"import", "jsonl", filepath.Join(dir, "missing.jsonl"), "--data", data}, 1, "no such file"},
		{[]string{"import", "jsonl", file, "--data", data, "--status", "live"}, 2, "--status"},
	} {
		code, _, errs := apptest.Run(t, nil, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: %d %s", c.args, code, errs)
		}
	}
}

// TestServeFirstRun: on an empty database, serve prints the set-up page's
// one-time link, which opens the page; a start refused for a bad setting
// loads no demo, so the next start still prints the demo's login.
func TestServeFirstRun(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &apptest.SyncBuffer{}, &apptest.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--base-url", "http://khabar.test"},
			app.IO{Stdin: strings.NewReader(""), Stdout: out, Stderr: errs, Getenv: func(string) string { return "" }})
	}()
	var link string
	apptest.WaitWithin(t, apptest.ServeStart, "serve prints the set-up link", func() bool {
		_, link, _ = strings.Cut(out.String(), "first run: set up this outlet at ")
		return strings.Contains(link, "\n")
	})
	link = strings.TrimSpace(link)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, errs.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop within a minute of its context ending")
	}
	if !strings.HasPrefix(link, "http://khabar.test/admin/setup?token=") {
		t.Fatalf("set-up link %q", link)
	}
	s, err := store.OpenSQLite(data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	token, open, err := s.SetupToken(context.Background())
	if err != nil || !open || !strings.HasSuffix(link, "="+token) {
		t.Fatalf("the printed link %q is not the stored token (%v %v)", link, open, err)
	}

	demoData := t.TempDir()
	code, _, stderr := apptest.Run(t, map[string]string{"KHABAR_TELEGRAM_TOKEN": "not-a-token"}, "", "serve", "--demo", "--data", demoData,
		"--addr", "127.0.0.1:0", "--telegram-chat", "@khabar")
	if code != 1 || !strings.Contains(stderr, "bot token is malformed") {
		t.Fatalf("serve with a malformed token: %d %s", code, stderr)
	}
	if code, out, _ := apptest.Run(t, nil, "", "demo", "--data", demoData); code != 0 || !strings.Contains(out, "newsroom login (shown once)") {
		t.Fatalf("the refused start loaded the demo: %d %s", code, out)
	}
}
