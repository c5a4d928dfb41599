package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"khabar/internal/app"
	"khabar/internal/config"
	"khabar/internal/news"
)

// The server half runs in a child process of its own, so its heap, stacks
// and RSS are Khabar's alone and not mixed with the 10,000 clients'. The
// parent drives it with one command a line on its stdin and reads one
// JSON answer a line on its stdout:
//
//	mem        → memReport, after a full GC that returns free memory to the OS
//	tick N     → tickReport, after adding ticker item N through the store
//	quit       → the server shuts down and the process exits

type memReport struct {
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
	RSS        uint64 `json:"rss"`
	Goroutines int    `json:"goroutines"`
	Clients    int    `json:"clients"` // subscribers of the ticker topic
}

type tickReport struct {
	Round int   `json:"round"`
	Start int64 `json:"start_ns"` // wall clock before the write
	End   int64 `json:"end_ns"`   // wall clock after the commit
}

type readyReport struct {
	Addr string `json:"addr"`
}

// tickerMarker is in the text of every ticker item the benchmark adds,
// followed by the round number, so a client can tell which write an
// event carries.
const tickerMarker = "ssebench-r"

// serve runs the server half; with a profile path, it profiles its CPU
// from the first ticker write to the end.
func serve(profile string) error {
	// A Ctrl-C reaches the whole process group; the parent decides when
	// this server stops, by closing its stdin.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	dir, err := os.MkdirTemp("", "ssebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.Demo = true
	cfg.BaseURL = "http://khabar.bench"
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(readyReport{Addr: a.Addr()}); err != nil {
		return err
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		var reply any
		switch cmd {
		case "mem":
			reply = memory(a)
		case "tick":
			if profile != "" {
				if err := startProfile(profile); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
				profile = ""
			}
			round, err := strconv.Atoi(arg)
			if err != nil {
				return fmt.Errorf("tick %q: %w", arg, err)
			}
			r := tickReport{Round: round, Start: time.Now().UnixNano()}
			item := &news.TickerItem{Text: fmt.Sprintf("عاجل: اختبار البث المباشر %s%d", tickerMarker, round)}
			if err := a.Store.CreateTicker(ctx, item); err != nil {
				return fmt.Errorf("round %d: %w", round, err)
			}
			r.End = time.Now().UnixNano()
			reply = r
		case "quit":
			cancel()
			return <-done
		default:
			return fmt.Errorf("unknown command %q", in.Text())
		}
		if err := out.Encode(reply); err != nil {
			return err
		}
	}
	// The parent went away without saying quit.
	cancel()
	return <-done
}

func startProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	return pprof.StartCPUProfile(f)
}

func memory(a *app.App) memReport {
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memReport{HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys, RSS: rss(),
		Goroutines: runtime.NumGoroutine(), Clients: a.Live.Clients("ticker")}
}

// rss reads the resident set size from /proc (Linux); 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, _ := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			return kb << 10
		}
	}
	return 0
}
