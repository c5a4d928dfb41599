// Command ssebench measures the live ticker under load (issue 5, speed a):
// -n readers hold GET /live?topic=ticker open on a real Khabar server on
// loopback; once all are connected, a ticker item is added through the
// store (the editor's path: the event outbox wakes the live consumer) and
// each reader's delay from the write to its `event: ticker` is measured,
// over -rounds writes. It also reports the server's memory per idle
// stream.
//
// The server is Khabar itself (internal/app, demo content, SQLite in a
// temporary directory), run by this program in a child process of its own
// (ssebench -serve), so that its memory figures are not mixed with the
// clients'. Readers connect from many loopback addresses (127.10.x.y,
// -per-ip each), so the hub's limit of 20 streams per address holds as it
// does in production.
//
// Usage:
//
//	ssebench [-n 10000] [-per-ip 10] [-rounds 5] [-gap 2s] [-hold 0s]
//
// Output is one record per line, a leading word then key=value pairs,
// durations in ms.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	n, perIP, rounds, dials int
	gap, hold, wait         time.Duration
	profile                 string
}

func main() {
	server := flag.Bool("serve", false, "run the server half (ssebench starts it itself)")
	var o options
	flag.IntVar(&o.n, "n", 10_000, "SSE connections")
	flag.IntVar(&o.perIP, "per-ip", 10, "connections per loopback source address (the hub allows 20)")
	flag.IntVar(&o.rounds, "rounds", 5, "ticker writes, one per round")
	flag.IntVar(&o.dials, "dials", 200, "connections being opened at once")
	flag.DurationVar(&o.gap, "gap", 2*time.Second, "pause between rounds")
	flag.DurationVar(&o.hold, "hold", 0, "stay idle this long once all are connected, before the first write")
	flag.DurationVar(&o.wait, "wait", 20*time.Second, "how long a round waits for every reader")
	timeout := flag.Duration("timeout", 10*time.Minute, "the whole run")
	flag.StringVar(&o.profile, "cpuprofile", "", "write the server's CPU profile of the rounds to this file")
	flag.Parse()
	var err error
	if *server {
		err = serve(o.profile)
	} else {
		err = o.check()
		if err == nil {
			err = run(o, *timeout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssebench:", err)
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.n < 1 || o.rounds < 1 || o.dials < 1:
		return errors.New("-n, -rounds and -dials must be at least 1")
	case o.perIP < 1 || o.perIP > 20:
		return errors.New("-per-ip must be between 1 and 20, the hub's limit per address")
	case (o.n+o.perIP-1)/o.perIP > 250*250:
		return errors.New("-n / -per-ip needs more than 62,500 source addresses")
	}
	return nil
}

func run(o options, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("bench n=%d per_ip=%d sources=%d rounds=%d cpus=%d go=%s nofile=%s\n", o.n, o.perIP,
		(o.n+o.perIP-1)/o.perIP, o.rounds, runtime.NumCPU(), runtime.Version(), raiseFiles(uint64(o.n)+4096))

	srv, err := startServer(o.profile)
	if err != nil {
		return err
	}
	defer srv.stop()
	before, err := srv.mem()
	if err != nil {
		return err
	}

	cs := newClients(o.n, o.rounds)
	start := time.Now()
	cs.connect(ctx, srv.addr, o)
	for !cs.settled() {
		if ctx.Err() != nil {
			return fmt.Errorf("connecting: %w", ctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("connect ms=%d connected=%d refused=%d\n", time.Since(start).Milliseconds(), cs.connected.Load(), cs.refused.Load())
	if cs.refused.Load() > 0 {
		return fmt.Errorf("%d connections refused: %v", cs.refused.Load(), cs.reasons())
	}
	// The server counts a stream once its handler has subscribed, which
	// is before the client has read the first bytes; give it a moment to
	// settle before measuring.
	time.Sleep(2 * time.Second)
	idle, err := srv.mem()
	if err != nil {
		return err
	}
	report("mem_before", before, memReport{}, 1)
	report("mem_idle", idle, memReport{}, 1)
	report("mem_per_conn", idle, before, o.n)
	fmt.Printf("client rss_mb=%.1f\n", float64(rss())/(1<<20))
	if idle.Clients != o.n {
		return fmt.Errorf("the hub counts %d ticker streams, want %d", idle.Clients, o.n)
	}

	if o.hold > 0 {
		time.Sleep(o.hold)
		fmt.Printf("hold ms=%d alive=%d dropped=%d\n", o.hold.Milliseconds(), cs.alive(), cs.dropped.Load())
	}
	var all []time.Duration
	missing := 0
	for r := range o.rounds {
		if r > 0 {
			time.Sleep(o.gap)
		}
		cpu0, ours0 := cpuTime(srv.cmd.Process.Pid), cpuTime(os.Getpid())
		tick, err := srv.tick(r)
		if err != nil {
			return err
		}
		deadline := time.Now().Add(o.wait)
		for cs.got[r].Load() < cs.alive() && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		lat := cs.latencies(r, tick.Start)
		all = append(all, lat...)
		missing += o.n - len(lat)
		fmt.Printf("round %d write_ms=%.1f server_cpu_ms=%d client_cpu_ms=%d %s\n", r, ms(time.Duration(tick.End-tick.Start)),
			(cpuTime(srv.cmd.Process.Pid) - cpu0).Milliseconds(), (cpuTime(os.Getpid()) - ours0).Milliseconds(), summary(lat, o.n))
	}
	fmt.Printf("total %s dropped=%d\n", summary(all, o.n*o.rounds), cs.dropped.Load())
	if missing > 0 || cs.dropped.Load() > 0 {
		return fmt.Errorf("%d deliveries missing, %d streams dropped: %v", missing, cs.dropped.Load(), cs.reasons())
	}
	return nil
}

// summary is the latency percentiles of what arrived, out of want.
func summary(lat []time.Duration, want int) string {
	if len(lat) == 0 {
		return fmt.Sprintf("received=0/%d", want)
	}
	slices.Sort(lat)
	at := func(q float64) float64 { return ms(lat[int(math.Ceil(q*float64(len(lat))))-1]) }
	return fmt.Sprintf("received=%d/%d min_ms=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f", len(lat), want, ms(lat[0]), at(0.5), at(0.9), at(0.99), at(1))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report prints the server's memory m less base, divided by per, in KiB.
func report(name string, m, base memReport, per int) {
	f := func(v, b uint64) float64 { return (float64(v) - float64(b)) / float64(per) / 1024 }
	fmt.Printf("%s heap_inuse_kb=%.2f stack_inuse_kb=%.2f sys_kb=%.2f rss_kb=%.2f goroutines=%.2f streams=%d\n", name,
		f(m.HeapInuse, base.HeapInuse), f(m.StackInuse, base.StackInuse), f(m.Sys, base.Sys), f(m.RSS, base.RSS),
		float64(m.Goroutines-base.Goroutines)/float64(per), m.Clients)
}

// cpuTime is the user and system time a process has used so far, from
// /proc (Linux, in clock ticks of 10 ms); 0 elsewhere.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after it. utime and stime are the 14th and 15th fields.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// raiseFiles lifts the open-file limit to want when it is lower, as far
// as this process may (root may raise the hard limit too), and says what
// the limit is now. The child server inherits it.
func raiseFiles(want uint64) string {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return "unknown"
	}
	if l.Cur >= want {
		return strconv.FormatUint(l.Cur, 10)
	}
	was := l.Cur
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: max(want, l.Max)}); err != nil {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: l.Max, Max: l.Max})
	}
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return fmt.Sprintf("%d(was_%d)", l.Cur, was)
}

// server is the child process running Khabar.
type server struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *json.Decoder
	addr string
}

func startServer(profile string) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// Not tied to ctx: the child ends by itself, cleaning up, when its
	// stdin closes, whatever becomes of this process.
	cmd := exec.Command(exe, "-serve", "-cpuprofile", profile)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	s := &server{cmd: cmd, in: in, out: json.NewDecoder(out)}
	var ready readyReport
	if err := s.out.Decode(&ready); err != nil {
		s.stop()
		return nil, fmt.Errorf("the server did not start: %w", err)
	}
	s.addr = ready.Addr
	return s, nil
}

func (s *server) ask(cmd string, reply any) error {
	if _, err := fmt.Fprintln(s.in, cmd); err != nil {
		return fmt.Errorf("server %s: %w", cmd, err)
	}
	if err := s.out.Decode(reply); err != nil {
		return fmt.Errorf("server %s: %w", cmd, err)
	}
	return nil
}

func (s *server) mem() (memReport, error) {
	var m memReport
	return m, s.ask("mem", &m)
}

func (s *server) tick(round int) (tickReport, error) {
	var t tickReport
	return t, s.ask("tick "+strconv.Itoa(round), &t)
}

func (s *server) stop() {
	fmt.Fprintln(s.in, "quit")
	s.in.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// clients are the readers: one goroutine and connection each.
type clients struct {
	n, rounds int
	// recv[r*n+i] is when reader i got round r (Unix ns), 0 until then.
	recv               []atomic.Int64
	got                []atomic.Int64 // readers that got each round
	connected, refused atomic.Int64
	dropped            atomic.Int64 // streams that ended while measuring
	closing            atomic.Bool

	mu  sync.Mutex
	why map[string]int // reasons for refusals and drops
}

func newClients(n, rounds int) *clients {
	return &clients{n: n, rounds: rounds, recv: make([]atomic.Int64, n*rounds), got: make([]atomic.Int64, rounds), why: map[string]int{}}
}

func (c *clients) settled() bool { return c.connected.Load()+c.refused.Load() >= int64(c.n) }

func (c *clients) alive() int64 { return c.connected.Load() - c.dropped.Load() }

func (c *clients) note(reason string) {
	c.mu.Lock()
	c.why[reason]++
	c.mu.Unlock()
}

func (c *clients) reasons() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.why)
}

// connect opens the streams, o.dials at a time, and returns once all
// are started; ctx's end closes them.
func (c *clients) connect(ctx context.Context, addr string, o options) {
	sem := make(chan struct{}, o.dials)
	context.AfterFunc(ctx, func() { c.closing.Store(true) })
	for i := range c.n {
		sem <- struct{}{}
		k := i / o.perIP
		ip := net.IPv4(127, 10, byte(k/250), byte(1+k%250))
		go c.read(ctx, i, addr, ip, func() { <-sem })
	}
}

// read is one reader: it connects, calls ready once the stream is open
// (or refused), and notes when each round's ticker arrives.
func (c *clients) read(ctx context.Context, i int, addr string, ip net.IP, ready func()) {
	var once sync.Once
	open := func() { once.Do(ready) }
	defer open()
	refuse := func(why string) {
		c.note(why)
		c.refused.Add(1)
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		refuse("dial: " + err.Error())
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := fmt.Fprintf(conn, "GET /live?topic=ticker HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", addr); err != nil {
		refuse("request: " + err.Error())
		return
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		refuse("response: " + err.Error())
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		refuse("status " + res.Status)
		return
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var (
		event     string
		data      []byte
		connected time.Time
	)
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if connected.IsZero() {
				connected = time.Now()
				c.connected.Add(1)
				open()
			}
			if event == "ticker" {
				now := time.Now().UnixNano()
				if r := lastRound(data); r >= 0 && r < c.rounds && c.recv[r*c.n+i].CompareAndSwap(0, now) {
					c.got[r].Add(1)
				}
			}
			event, data = "", data[:0]
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[len("event: "):])
		case bytes.HasPrefix(line, []byte("data: ")):
			data = append(data, line[len("data: "):]...)
		}
	}
	switch {
	case c.closing.Load():
	case connected.IsZero():
		refuse(fmt.Sprintf("stream ended before it opened: %v", sc.Err()))
	default:
		c.dropped.Add(1)
		c.note(fmt.Sprintf("stream ended after %s: %v", time.Since(connected).Round(time.Second), sc.Err()))
	}
}

// lastRound finds the newest round named in a ticker event: the ticker
// lists recent items, so older rounds' lines are there too.
func lastRound(data []byte) int {
	last := -1
	for {
		i := bytes.Index(data, []byte(tickerMarker))
		if i < 0 {
			return last
		}
		data = data[i+len(tickerMarker):]
		j := 0
		for j < len(data) && data[j] >= '0' && data[j] <= '9' {
			j++
		}
		if r, err := strconv.Atoi(string(data[:j])); err == nil {
			last = max(last, r)
		}
	}
}

// latencies lists, for readers that got round r, how long after the
// write's start (Unix ns) it arrived.
func (c *clients) latencies(r int, start int64) []time.Duration {
	var out []time.Duration
	for i := range c.n {
		if t := c.recv[r*c.n+i].Load(); t != 0 {
			out = append(out, time.Duration(t-start))
		}
	}
	return out
}
