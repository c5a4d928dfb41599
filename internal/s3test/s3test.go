// Package s3test starts a real S3-compatible server for tests: SeaweedFS
// (Apache-2.0), whose binary KHABAR_TEST_WEED names (tools/seaweedfs/build.sh
// builds it). Without it the tests that need S3 skip, or fail when
// KHABAR_REQUIRE_S3=1, as CI sets.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"khabar/internal/media"
)

// Server is a running SeaweedFS with an S3 endpoint on loopback. Its keys
// are made per server; tests hand them to Khabar the way an operator
// does, in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see Setenv).
type Server struct {
	Endpoint  string // http://127.0.0.1:port
	AccessKey string
	SecretKey string
	client    *s3.Client
}

// Weed is the SeaweedFS binary to run, or skips (fails under
// KHABAR_REQUIRE_S3=1) when there is none.
func Weed(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("KHABAR_TEST_WEED")
	if bin == "" {
		msg := "KHABAR_TEST_WEED is not set: no SeaweedFS to test S3 media against (build one with tools/seaweedfs/build.sh)"
		if os.Getenv("KHABAR_REQUIRE_S3") == "1" {
			t.Fatal(msg + ", and KHABAR_REQUIRE_S3=1")
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("KHABAR_TEST_WEED: %v", err)
	}
	return bin
}

// Start runs a SeaweedFS server (master, volume, filer and S3 gateway in
// one process) in a temporary directory, waits until its S3 endpoint
// answers signed requests, and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Weed(t)
	dir := t.TempDir()
	srv := &Server{AccessKey: "khabar" + randHex(6), SecretKey: randHex(20)}
	conf := fmt.Sprintf(`{"identities":[{"name":"khabar","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","List","Tagging","Write"]}]}`,
		srv.AccessKey, srv.SecretKey)
	confPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	// Every port is given: left alone, SeaweedFS takes fixed ones (9333,
	// 8333…) and grpc ports at +10000, which other runs may hold.
	p := freePorts(t, 8)
	args := []string{"server", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + p[0], "-master.port.grpc=" + p[1], "-master.volumeSizeLimitMB=64", "-master.telemetry=false",
		"-volume.port=" + p[2], "-volume.port.grpc=" + p[3], "-volume.max=100",
		"-filer", "-filer.port=" + p[4], "-filer.port.grpc=" + p[5],
		"-s3", "-s3.port=" + p[6], "-s3.port.grpc=" + p[7], "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=" + confPath}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	// Its log goes to a file, shown when a test fails.
	logPath := filepath.Join(dir, "weed.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	out := logTail(logPath)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start SeaweedFS: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("SeaweedFS output:\n%s", out())
		}
	})
	srv.Endpoint = "http://127.0.0.1:" + p[6]
	srv.client = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	// The master elects itself and the volume server registers before
	// the gateway can store anything; creating a bucket and writing an
	// object proves all of it. A loaded CI machine under -race is slow.
	started := time.Now()
	deadline := started.Add(2 * time.Minute)
	var last error
	for probe := "ready-" + randHex(4); ; time.Sleep(250 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("SeaweedFS exited while starting:\n%s", out())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("SeaweedFS's S3 endpoint %s not ready after 2 minutes: %v\n%s", srv.Endpoint, last, out())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		last = srv.createBucket(ctx, probe)
		if last == nil {
			_, last = srv.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(probe), Key: aws.String("probe"),
				Body: strings.NewReader("ok"), ContentLength: aws.Int64(2)})
		}
		cancel()
		if last == nil {
			t.Logf("SeaweedFS ready at %s in %s", srv.Endpoint, time.Since(started).Round(time.Millisecond))
			return srv
		}
	}
}

func (s *Server) createBucket(ctx context.Context, name string) error {
	_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") && !strings.Contains(err.Error(), "BucketAlreadyExists") {
		return err
	}
	return nil
}

// Bucket makes a new, empty bucket and returns its name.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := "khabar-" + randHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.createBucket(ctx, name); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// Options are the store options for url (s3://bucket/prefix) on s.
func (s *Server) Options(url string) media.S3Options {
	return media.S3Options{URL: url, Endpoint: s.Endpoint, PathStyle: true, AccessKey: s.AccessKey, SecretKey: s.SecretKey}
}

// Env is the environment that gives Khabar's commands the server's keys,
// as an operator does.
func (s *Server) Env() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": s.AccessKey, "AWS_SECRET_ACCESS_KEY": s.SecretKey}
}

// Open opens the store at url on s.
func (s *Server) Open(t testing.TB, url string) *media.S3 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := media.OpenS3(ctx, s.Options(url))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var ls []net.Listener
	var ports []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// logTail gives the end of the server's log.
func logTail(path string) func() string {
	return func() string {
		b, _ := os.ReadFile(path)
		return string(b[max(0, len(b)-4000):])
	}
}
