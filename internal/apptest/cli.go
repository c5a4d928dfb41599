package apptest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/app"
)

// Run runs the khabar command with args, the environment env and
// standard input stdin; it gives the exit code, stdout and stderr.
func Run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), args, app.IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// SyncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// ServeStart bounds the wait for a first start on an empty data directory
// to print its set-up link: our and River's migrations, which under -race
// beside other tests have taken more than 30 s.
const ServeStart = 2 * time.Minute
