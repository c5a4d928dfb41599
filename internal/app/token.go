package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// cmdToken is "khabar token create --email … --name …": an API token for a
// newsroom user, printed once.
func cmdToken(ctx context.Context, args []string, sys IO) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New(`want "khabar token create --email … --name …"`)}
	}
	var email, name string
	cfg, err := parseConfig("token create", args[1:], sys, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the newsroom user the token acts for (required)")
		fs.StringVar(&name, "name", "", "what the token is for, e.g. \"agency feed\" (required)")
	})
	if err != nil {
		return err
	}
	name = news.CleanLine(name)
	if strings.TrimSpace(email) == "" || name == "" {
		return usageError{errors.New("missing --email or --name")}
	}
	if len([]rune(name)) > 100 {
		return usageError{errors.New("--name: at most 100 characters")}
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
	// The rules the newsroom's /admin/tokens keeps: a token that a
	// demotion or disabling would revoke is not made in the first place.
	if u.Disabled {
		return fmt.Errorf("%s is disabled: enable the account at /admin/users first", u.Email)
	}
	if !u.Can(auth.PermTokens) {
		return fmt.Errorf("%s is a %s: only editors and admins hold API tokens", u.Email, u.Role)
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if _, err := s.CreateAPIToken(ctx, u.ID, name, hash); err != nil {
		return err
	}
	if err := s.Audit(ctx, u.Actor(), "token.create", "", name+" (command line)"); err != nil {
		return err
	}
	fmt.Fprintf(sys.Stderr, "API token %q for %s (%s); it is shown once:\n", name, u.Email, u.Role)
	fmt.Fprintln(sys.Stdout, token)
	return nil
}

// accountByEmail finds the newsroom account a command names by --email.
func accountByEmail(ctx context.Context, s *store.Store, email string) (*auth.User, error) {
	email = strings.TrimSpace(email)
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, news.ErrNotFound) {
		return nil, fmt.Errorf("no user with email %s (create one with khabar user add)", email)
	}
	return u, err
}
