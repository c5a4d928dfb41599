package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Options say where an S3-compatible bucket is. The keys come from the
// environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for
// temporary keys, AWS_SESSION_TOKEN), never from flags, so they never show
// in a process list.
type S3Options struct {
	URL       string // s3://bucket or s3://bucket/prefix
	Endpoint  string // e.g. https://s3.example.net; empty: AWS itself
	Region    string // empty: us-east-1
	PathStyle bool   // bucket in the path, as most non-AWS servers want
	AccessKey string
	SecretKey string
	Session   string
}

// ParseS3URL splits s3://bucket/prefix; the prefix may be empty.
func ParseS3URL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("%q: want s3://bucket or s3://bucket/prefix", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := ValidKey(prefix); err != nil {
			return "", "", fmt.Errorf("%q: bad prefix: %w", raw, err)
		}
	}
	return u.Host, prefix, nil
}

// S3 is a Store in a bucket of an S3-compatible object store, so every
// node sees every file.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string // "" or "prefix/"
	name   string // s3://bucket/prefix, for messages
}

// OpenS3 makes a client for o and checks that the bucket answers, so a
// wrong endpoint, key or bucket stops the start with a message.
func OpenS3(ctx context.Context, o S3Options) (*S3, error) {
	bucket, prefix, err := ParseS3URL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	if o.AccessKey == "" || o.SecretKey == "" {
		return nil, fmt.Errorf("media store %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment", o.URL)
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, o.Session),
		// Checksums only where the API demands them: servers other than
		// AWS (SeaweedFS, Garage, Ceph, R2…) refuse or mangle the CRC
		// headers and trailers the SDK adds by default since 2025.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           3,
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
	})
	st := &S3{client: client, bucket: bucket, name: o.URL}
	if prefix != "" {
		st.prefix = prefix + "/"
	}
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return nil, fmt.Errorf("media store %s: the bucket does not answer (check --media-s3-endpoint, the region, the keys and that the bucket exists): %w", o.URL, err)
	}
	return st, nil
}

// String names the store in messages.
func (st *S3) String() string { return st.name }

// Close is here for symmetry with Disk; the client holds nothing to free.
func (st *S3) Close() error { return nil }

func (st *S3) object(key string) *string { return aws.String(st.prefix + key) }

// sha256Meta is the user metadata holding a file's SHA-256, so a copy
// (media migrate) can tell an object already there from a stale one
// without reading it back.
const sha256Meta = "sha256"

// Put spools r to a temporary file first: the SDK signs a body it can
// read twice, and an upload cut half-way must leave no object behind.
// An S3 PUT replaces an object whole, so readers never see part of one.
func (st *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := ValidKey(key); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp("", "khabar-s3-put-*")
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	_, err = st.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(st.bucket), Key: st.object(key), Body: tmp, ContentLength: aws.Int64(n),
		ContentType: aws.String(contentType(key)),
		// Keys are never rewritten with other content (library names
		// are content hashes), so caches may keep them for good.
		CacheControl: aws.String(ImmutableCache),
		Metadata:     map[string]string{sha256Meta: hex.EncodeToString(h.Sum(nil))},
	})
	if err != nil {
		return 0, fmt.Errorf("put %s in %s: %w", key, st.name, err)
	}
	return n, nil
}

// ImmutableCache is the Cache-Control of stored files.
const ImmutableCache = "public, max-age=31536000, immutable"

// Open starts reading the object. What it returns is also an
// io.ReadSeeker (see ReadSeeker), which asks for a range only when a
// reader seeks away from where the body is.
func (st *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	o := &s3Object{ctx: ctx, st: st, key: key}
	if err := o.get(0); err != nil {
		return nil, err
	}
	return o, nil
}

// Stat asks for the object's head.
func (st *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	out, err := st.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(st.bucket), Key: st.object(key)})
	if err != nil {
		return Info{}, st.fail("stat", key, err)
	}
	return Info{Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified), SHA256: out.Metadata[sha256Meta]}, nil
}

// Delete removes an object; S3 answers a missing one with success too.
func (st *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if _, err := st.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(st.bucket), Key: st.object(key)}); err != nil {
		return st.fail("delete", key, err)
	}
	return nil
}

// Walk calls fn for every object under the prefix, in key order. Objects
// whose names are not keys (put there by something else) are skipped.
func (st *S3) Walk(ctx context.Context, fn func(key string, info Info) error) error {
	p := s3.NewListObjectsV2Paginator(st.client, &s3.ListObjectsV2Input{Bucket: aws.String(st.bucket), Prefix: aws.String(st.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", st.name, err)
		}
		for _, obj := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(obj.Key), st.prefix)
			if ValidKey(key) != nil {
				continue
			}
			if err := fn(key, Info{Size: aws.ToInt64(obj.Size), ModTime: aws.ToTime(obj.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fail wraps err, making a missing object fs.ErrNotExist as the Store
// contract says.
func (st *S3) fail(op, key string, err error) error {
	var nsk *s3types.NoSuchKey
	var nf *s3types.NotFound
	var api smithy.APIError
	if errors.As(err, &nsk) || errors.As(err, &nf) || errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey") {
		return fmt.Errorf("%s %s: %w", op, key, fs.ErrNotExist)
	}
	return fmt.Errorf("%s %s in %s: %w", op, key, st.name, err)
}

// s3Object reads an object from off on; a seek only moves off, and the
// next read asks for a range when the body is elsewhere. So serving a
// whole file costs the one GET that Open made.
type s3Object struct {
	ctx     context.Context
	st      *S3
	key     string
	info    Info
	body    io.ReadCloser
	bodyOff int64 // where body is
	off     int64 // where the reader wants to be
}

func (o *s3Object) get(off int64) error {
	in := &s3.GetObjectInput{Bucket: aws.String(o.st.bucket), Key: o.st.object(o.key)}
	if off > 0 {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", off))
	}
	out, err := o.st.client.GetObject(o.ctx, in)
	if err != nil {
		return o.st.fail("open", o.key, err)
	}
	if off == 0 {
		o.info = Info{Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified), SHA256: out.Metadata[sha256Meta]}
	}
	o.body, o.bodyOff = out.Body, off
	return nil
}

func (o *s3Object) Read(p []byte) (int, error) {
	if o.off >= o.info.Size {
		return 0, io.EOF
	}
	if o.body != nil && o.bodyOff != o.off {
		o.body.Close()
		o.body = nil
	}
	if o.body == nil {
		if err := o.get(o.off); err != nil {
			return 0, err
		}
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	o.bodyOff = o.off
	return n, err
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.info.Size
	default:
		return 0, fmt.Errorf("seek %s: bad whence %d", o.key, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek %s: negative position", o.key)
	}
	o.off = offset
	return offset, nil
}

func (o *s3Object) Close() error {
	if o.body == nil {
		return nil
	}
	err := o.body.Close()
	o.body = nil
	return err
}

// contentType is the type stored with an object, so a bucket served
// straight to readers (--media-url) gives browsers the right one.
func contentType(key string) string {
	if t := typeByExt[strings.ToLower(key[strings.LastIndexByte(key, '.')+1:])]; t != "" {
		return t
	}
	return "application/octet-stream"
}

// typeByExt is fixed here rather than read from the machine's MIME
// tables, which differ between hosts.
var typeByExt = map[string]string{"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
	"webp": "image/webp", "svg": "image/svg+xml", "ico": "image/x-icon"}

// ReadSeeker turns what Store.Open returned into something http.ServeContent
// can serve (ranges, conditional requests), with its size and time.
func ReadSeeker(rc io.ReadCloser) (io.ReadSeeker, Info, error) {
	switch f := rc.(type) {
	case *os.File:
		st, err := f.Stat()
		if err != nil {
			return nil, Info{}, err
		}
		return f, Info{Size: st.Size(), ModTime: st.ModTime()}, nil
	case *s3Object:
		return f, f.info, nil
	}
	return nil, Info{}, fmt.Errorf("%T cannot seek: %w", rc, http.ErrNotSupported)
}
