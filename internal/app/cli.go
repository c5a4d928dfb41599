package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/demo"
	"khabar/internal/importer"
	"khabar/internal/jobs"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/outbox"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/web"
)

// Version is set at build time with -ldflags "-X khabar/internal/app.Version=…".
var Version = ""

// IO is what a command reads and writes; tests pass buffers.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

const usage = `khabar: an Arabic-first news platform

usage: khabar <command> [flags]

commands:
  serve     run the site, the newsroom and the jobs (default)
  demo      load demo content into an empty database
  migrate   apply database migrations
  user add  create a newsroom account: --email --name --role admin|editor|writer|moderator
  user reset-password  set a new password for an account (--email) and end its sessions
  token create  an API token for scripts: --email (of a newsroom user) --name
  reindex   rebuild the search index
  import jsonl FILE  import articles from JSON Lines (--status draft to keep them unpublished)
  import wxr FILE.xml  import a WordPress export, with redirects from its old addresses
                    (--status draft, --dry-run)
  backup    write one archive of the database and media: [--out FILE]
  restore FILE  restore an archive into an empty --data DIR (and --db URL);
                    --force replaces what the target holds
  media migrate --to s3://bucket/prefix  copy the media library into an S3-compatible
                    bucket (with --media-s3-endpoint …); run again to resume
  version   print the version

Run "khabar <command> -h" for the flags of a command.
`

// Main runs a command line and returns the process exit code: 0 success,
// 1 failure, 2 bad usage.
func Main(ctx context.Context, args []string, sys IO) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args, sys)
	case "demo":
		err = cmdDemo(ctx, args, sys)
	case "migrate":
		err = cmdMigrate(ctx, args, sys)
	case "user":
		err = cmdUser(ctx, args, sys)
	case "token":
		err = cmdToken(ctx, args, sys)
	case "reindex":
		err = cmdReindex(ctx, args, sys)
	case "import":
		err = cmdImport(ctx, args, sys)
	case "backup":
		err = cmdBackup(ctx, args, sys)
	case "restore":
		err = cmdRestore(ctx, args, sys)
	case "media":
		err = cmdMedia(ctx, args, sys)
	case "version":
		fmt.Fprintln(sys.Stdout, "khabar", version())
	case "help", "-h", "--help":
		fmt.Fprint(sys.Stdout, usage)
	default:
		fmt.Fprintf(sys.Stderr, "khabar: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(sys.Stderr, "khabar %s: %v\n", cmd, err)
		return 2
	default:
		fmt.Fprintf(sys.Stderr, "khabar %s: %v\n", cmd, err)
		return 1
	}
}

type usageError struct{ error }

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// logger writes cfg's log format to w; every line logged while serving a
// request carries its id (web.LogHandler).
func logger(w io.Writer, cfg config.Config) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if cfg.LogFormat == config.LogJSON {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(web.LogHandler{Handler: h})
}

// parseConfig parses the shared flags plus any extra ones.
func parseConfig(name string, args []string, sys IO, extra func(*flag.FlagSet)) (config.Config, error) {
	fs, c, validate := config.FlagSet(name, sys.Getenv)
	fs.SetOutput(sys.Stderr)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return *c, err
		}
		return *c, usageError{err}
	}
	if fs.NArg() > 0 {
		return *c, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := validate(); err != nil {
		return *c, usageError{err}
	}
	return *c, nil
}

func cmdServe(ctx context.Context, args []string, sys IO) error {
	cfg, err := parseConfig("serve", args, sys, nil)
	if err != nil {
		return err
	}
	log := logger(sys.Stderr, cfg)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	reportDemo(sys.Stdout, a.Demo, cfg.Addr)
	link, err := a.SetupLink(ctx)
	if err != nil {
		return err
	}
	if link != "" {
		fmt.Fprintf(sys.Stdout, "first run: set up this outlet at %s\n", link)
	}
	return a.Run(ctx)
}

func reportDemo(w io.Writer, r demo.Result, addr string) {
	if !r.Loaded {
		return
	}
	fmt.Fprintf(w, "demo content loaded: %d articles\n", r.Articles)
	if r.AdminPassword != "" {
		fmt.Fprintf(w, "newsroom login (shown once): %s / %s at http://localhost%s/admin/\n", r.AdminEmail, r.AdminPassword, portOf(addr))
	}
}

func portOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return ""
}

// openForCommand parses a command's flags and opens its migrated store.
func openForCommand(ctx context.Context, name string, args []string, sys IO) (config.Config, *store.Store, error) {
	cfg, err := parseConfig(name, args, sys, nil)
	if err != nil {
		return cfg, nil, err
	}
	s, err := OpenStore(ctx, cfg, logger(sys.Stderr, cfg))
	return cfg, s, err
}

func cmdDemo(ctx context.Context, args []string, sys IO) error {
	cfg, s, err := openForCommand(ctx, "demo", args, sys)
	if err != nil {
		return err
	}
	defer s.Close()
	files, err := OpenMedia(ctx, cfg)
	if err != nil {
		return err
	}
	defer files.Close()
	r, err := demo.Load(ctx, s, files)
	if err != nil {
		return err
	}
	if !r.Loaded {
		fmt.Fprintln(sys.Stdout, "the database already has content; demo not loaded")
		return nil
	}
	reportDemo(sys.Stdout, r, cfg.Addr)
	return nil
}

func cmdMigrate(ctx context.Context, args []string, sys IO) error {
	cfg, err := parseConfig("migrate", args, sys, nil)
	if err != nil {
		return err
	}
	if err := cfg.CheckDataDir(); err != nil {
		return err
	}
	s, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	queue, err := jobs.Migrate(ctx, s, logger(sys.Stderr, cfg))
	if err != nil {
		return err
	}
	applied = append(applied, queue...)
	if len(applied) == 0 {
		fmt.Fprintln(sys.Stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(sys.Stdout, "applied", m)
	}
	return nil
}

func cmdUser(ctx context.Context, args []string, sys IO) error {
	if len(args) > 0 && args[0] == "reset-password" {
		return cmdResetPassword(ctx, args[1:], sys)
	}
	if len(args) == 0 || args[0] != "add" {
		return usageError{errors.New(`want "khabar user add --email … --name … --role …" or "khabar user reset-password --email …"`)}
	}
	var email, name, role string
	cfg, err := parseConfig("user add", args[1:], sys, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "login email (required)")
		fs.StringVar(&name, "name", "", "display name (required)")
		fs.StringVar(&role, "role", "", "admin, editor, writer or moderator (required)")
	})
	if err != nil {
		return err
	}
	var missing []string
	for flagName, v := range map[string]string{"--email": email, "--name": name, "--role": role} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, flagName)
		}
	}
	if len(missing) > 0 {
		return usageError{fmt.Errorf("missing %s", strings.Join(missing, ", "))}
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return usageError{err}
	}
	if email, err = store.NormalizeEmail(email); err != nil {
		return usageError{err}
	}
	hash, err := readNewPassword(sys)
	if err != nil {
		return err
	}
	s, err := OpenStore(ctx, cfg, logger(sys.Stderr, cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	u := auth.User{Email: email, Name: name, Role: r, PasswordHash: hash}
	if err := s.CreateUser(ctx, &u); err != nil {
		if errors.Is(err, news.ErrDuplicate) {
			return fmt.Errorf("a user with email %s already exists", email)
		}
		return err
	}
	fmt.Fprintf(sys.Stdout, "user %d created: %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

// cmdResetPassword sets a new password for an account and ends its
// sessions: the way back in for an admin who lost theirs (or never saw
// the demo's).
func cmdResetPassword(ctx context.Context, args []string, sys IO) error {
	var email string
	cfg, err := parseConfig("user reset-password", args, sys, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "login email of the account (required)")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		return usageError{errors.New("missing --email")}
	}
	s, err := OpenStore(ctx, cfg, logger(sys.Stderr, cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := accountByEmail(ctx, s, email)
	if err != nil {
		return err
	}
	hash, err := readNewPassword(sys)
	if err != nil {
		return err
	}
	if err := s.SetUserPassword(ctx, u.ID, hash, "", news.Actor{Name: "(command line)"}); err != nil {
		return err
	}
	fmt.Fprintf(sys.Stdout, "password of %s (%s) changed; their sessions have ended and their API tokens are revoked\n", u.Email, u.Role)
	return nil
}

// readNewPassword reads a password (see readPassword), checks it against
// the rules and hashes it.
func readNewPassword(sys IO) (string, error) {
	pw, err := readPassword(sys)
	if err != nil {
		return "", err
	}
	if err := auth.CheckPasswordRules(pw); err != nil {
		return "", err
	}
	return auth.HashPassword(pw)
}

func cmdReindex(ctx context.Context, args []string, sys IO) error {
	_, s, err := openForCommand(ctx, "reindex", args, sys)
	if err != nil {
		return err
	}
	defer s.Close()
	last, err := s.LastEventID(ctx)
	if err != nil {
		return err
	}
	bar := newProgress(sys.Stderr, "indexing")
	start := time.Now()
	n := 0
	if err := search.New(s).Reindex(ctx, func(done, total int) { n = done; bar.update(done, total) }); err != nil {
		return err
	}
	bar.done()
	// Everything up to last is in the index now; a running server's
	// consumer resumes from here.
	if err := s.SaveCursor(ctx, outbox.Search, last); err != nil {
		return err
	}
	fmt.Fprintf(sys.Stdout, "indexed %d articles in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdImport(ctx context.Context, args []string, sys IO) error {
	if len(args) == 0 || args[0] != "jsonl" && args[0] != "wxr" {
		return usageError{errors.New(`want "khabar import jsonl FILE" or "khabar import wxr FILE.xml"`)}
	}
	kind := args[0]
	var (
		status   string
		dryRun   bool
		mediaDir string
		origins  string
		file     string
	)
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		file, args = args[1], append([]string{}, args[2:]...)
	} else {
		args = args[1:]
	}
	cfg, err := parseConfig("import "+kind, args, sys, func(fs *flag.FlagSet) {
		fs.StringVar(&status, "status", "published", "state of imported articles: published or draft")
		if kind == "wxr" {
			fs.BoolVar(&dryRun, "dry-run", false, "read and convert everything, report what would change, write nothing")
			fs.StringVar(&mediaDir, "media", "", "a copy of the site's wp-content/uploads, whose pictures go to the media library")
			fs.StringVar(&origins, "media-origin", "", "without --media: fetch the attachments from these comma-separated origins of the old site (https://old.example,https://cdn.old.example)")
		}
	})
	if err != nil {
		return err
	}
	if file == "" {
		return usageError{fmt.Errorf("missing FILE (khabar import %s FILE)", kind)}
	}
	st := news.Status(status)
	if st != news.StatusPublished && st != news.StatusDraft {
		return usageError{fmt.Errorf("--status %q: want published or draft", status)}
	}
	mediaOrigins, err := importer.ParseOrigins(origins)
	if err != nil {
		return usageError{fmt.Errorf("--media-origin: %w", err)}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg.DatabaseURL = bulkDSN(cfg.DatabaseURL)
	s, err := OpenStore(ctx, cfg, logger(sys.Stderr, cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	bar := newProgress(sys.Stderr, "importing")
	start := time.Now()
	var stats importer.Stats
	if kind == "wxr" {
		opt := importer.WXROptions{Status: st, DryRun: dryRun, MediaDir: mediaDir, MediaOrigins: mediaOrigins,
			Client:   outbound.Guard{AllowPrivate: cfg.OutboundAllowPrivate}.Client(nil),
			Progress: func(st importer.Stats, total int) { bar.update(st.Read, total) }}
		if s.Dialect() == store.Postgres {
			// SQLite takes one writer at a time; PostgreSQL answers
			// several, and an item's time is mostly round trips.
			opt.Workers = 4
		}
		if mediaDir != "" || len(mediaOrigins) > 0 {
			files, err := OpenMedia(ctx, cfg)
			if err != nil {
				return err
			}
			defer files.Close()
			opt.Library = media.NewLibrary(s, files, logger(sys.Stderr, cfg))
		}
		stats, err = importer.WXR(ctx, s, file, opt)
	} else {
		stats, err = importer.JSONL(ctx, s, f, st, func(st importer.Stats) { bar.update(st.Read, 0) })
	}
	bar.done()
	fmt.Fprint(sys.Stdout, stats.Summary())
	if err != nil {
		return err
	}
	if kind == "wxr" {
		fmt.Fprintf(sys.Stdout, "took %s\n", time.Since(start).Round(time.Millisecond))
	}
	if dryRun {
		fmt.Fprintln(sys.Stdout, "dry run: nothing was written")
		return nil
	}
	fmt.Fprintln(sys.Stdout, "the search index and pages update as the server processes the import's events (or run khabar reindex)")
	return nil
}

// bulkDSN lets PostgreSQL acknowledge an import's commits before they
// reach the disk (synchronous_commit=off, unless the URL sets it): a
// crash can lose only the last moments of commits, never corrupt
// anything, and an import run again adds what is missing. A URL that is
// not one is left as it is.
func bulkDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if dsn == "" || err != nil || u.Scheme == "" {
		return dsn
	}
	q := u.Query()
	if !q.Has("synchronous_commit") {
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// readPassword prompts twice on a terminal, or reads one line from a pipe
// (for scripts: echo "$PW" | khabar user add …).
func readPassword(sys IO) (string, error) {
	if f, ok := sys.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(sys.Stderr, "password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(sys.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(sys.Stderr, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(sys.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(sys.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input (pipe one line, or run in a terminal to be prompted)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
