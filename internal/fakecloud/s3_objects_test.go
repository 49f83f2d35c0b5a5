package fakecloud

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestS3ObjectRoundTrip puts, reads, heads and deletes an object through
// the real SDK in both addressing styles. Object calls are data events:
// none reaches CloudTrail.
func TestS3ObjectRoundTrip(t *testing.T) {
	for _, style := range []string{"path", "virtual"} {
		t.Run(style, func(t *testing.T) {
			c, cfg := startCloud(t)
			if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "objects"}); err != nil {
				t.Fatal(err)
			}
			tap := tapEvents(c)
			cl := pathClient(cfg)
			if style == "virtual" {
				cl = virtualClient(c, cfg, "localhost")
			}
			ctx := context.Background()
			body := []byte(`{"hello":"world"}` + strings.Repeat("x", 70000))
			key := "AWSLogs/123456789012/Config/us-east-1/AWS::EC2::SecurityGroup/sg-0web/item 1.json"
			sum := md5.Sum(body)
			etag := `"` + hex.EncodeToString(sum[:]) + `"`

			put := mustS3(cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("objects"), Key: aws.String(key),
				Body: bytes.NewReader(body), ContentType: aws.String("application/json"), Metadata: map[string]string{"source": "test"}}))(t)
			if aws.ToString(put.ETag) != etag {
				t.Errorf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), etag)
			}
			got := mustS3(cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)}))(t)
			data, err := io.ReadAll(got.Body)
			_ = got.Body.Close()
			if err != nil || !bytes.Equal(data, body) {
				t.Fatalf("GetObject body: %d bytes, %v; want %d bytes", len(data), err, len(body))
			}
			if aws.ToString(got.ContentType) != "application/json" || aws.ToString(got.ETag) != etag ||
				aws.ToInt64(got.ContentLength) != int64(len(body)) || got.Metadata["source"] != "test" || got.LastModified == nil {
				t.Errorf("GetObject headers: type %s etag %s length %d metadata %v modified %v", aws.ToString(got.ContentType),
					aws.ToString(got.ETag), aws.ToInt64(got.ContentLength), got.Metadata, got.LastModified)
			}
			head := mustS3(cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)}))(t)
			if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != etag {
				t.Errorf("HeadObject: length %d etag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
			}
			if stored, typ, ok := c.Object("objects", key); !ok || !bytes.Equal(stored, body) || typ != "application/json" {
				t.Errorf("Object() = %d bytes %q %v", len(stored), typ, ok)
			}
			mustS3(cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)}))(t)
			mustS3(cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)}))(t) // gone: still 204
			_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)})
			var nsk *types.NoSuchKey
			if !errors.As(err, &nsk) {
				t.Errorf("GetObject after delete: %v, want NoSuchKey", err)
			}
			if n := len(tap.events); n != 0 {
				t.Errorf("object calls wrote %d CloudTrail events, want 0 (data events)", n)
			}
		})
	}
}

// TestS3ObjectErrors: what S3 refuses, the fake refuses with S3's code and
// status; what it does not emulate is NotImplemented, never a 5xx panic.
func TestS3ObjectErrors(t *testing.T) {
	c, cfg := startCloud(t)
	for _, b := range []struct{ account, name, region string }{
		{DefaultAccount, "mine", DefaultRegion}, {"210987654321", "theirs", DefaultRegion}, {DefaultAccount, "irish", "eu-west-1"},
	} {
		if err := c.SeedBucket(b.account, BucketSeed{Name: b.name, Region: b.region}); err != nil {
			t.Fatal(err)
		}
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	put := func(bucket, key string) error {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")})
		return err
	}
	get := func(bucket, key string) error {
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err
	}
	for _, tc := range []struct {
		name   string
		err    error
		code   string
		status int
	}{
		{"get missing key", get("mine", "nope"), "NoSuchKey", 404},
		{"get from missing bucket", get("nobody", "k"), "NoSuchBucket", 404},
		{"put to missing bucket", put("nobody", "k"), "NoSuchBucket", 404},
		{"put to another account's bucket", put("theirs", "k"), "AccessDenied", 403},
		{"get from another account's bucket", get("theirs", "k"), "AccessDenied", 403},
		{"put in the wrong region", put("irish", "k"), "PermanentRedirect", 301},
		{"key too long", put("mine", strings.Repeat("k", 1025)), "KeyTooLongError", 400},
	} {
		t.Run(tc.name, func(t *testing.T) { wantS3Error(t, tc.err, tc.code, tc.status) })
	}
	_, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mine"), Key: aws.String("nope")})
	wantS3Error(t, err, "NotFound", 404)

	// A bucket with objects cannot be deleted; emptied, it can, and a new
	// bucket of the same name starts empty.
	if err := put("mine", "k"); err != nil {
		t.Fatal(err)
	}
	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mine")})
	wantS3Error(t, err, "BucketNotEmpty", 409)
	mustS3(cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("mine"), Key: aws.String("k")}))(t)
	mustS3(cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mine")}))(t)
	mustS3(cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mine")}))(t)
	if err := get("mine", "k"); err == nil {
		t.Error("a re-created bucket kept the old bucket's object")
	}
	if err := put("mine", "k"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, method, target string
		header               http.Header
		status               int
		code                 string
	}{
		{"range", "GET", "/mine/k", http.Header{"Range": {"bytes=0-0"}}, 501, "NotImplemented"},
		{"object tagging", "GET", "/mine/k?tagging", nil, 501, "NotImplemented"},
		{"multipart", "POST", "/mine/k?uploads", nil, 501, "NotImplemented"},
		{"copy", "PUT", "/mine/k2", http.Header{"X-Amz-Copy-Source": {"/mine/k"}}, 501, "NotImplemented"},
		{"POST object", "POST", "/mine/k", nil, 405, "MethodNotAllowed"},
		{"bad digest", "PUT", "/mine/k", http.Header{"Content-Md5": {"AAAAAAAAAAAAAAAAAAAAAA=="}}, 400, "BadDigest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, resp := rawS3(t, c, tc.method, tc.target, tc.header, []byte("data"))
			if status != tc.status || !strings.Contains(resp, "<Code>"+tc.code+"</Code>") {
				t.Errorf("got %d %s, want %d %s", status, resp, tc.status, tc.code)
			}
		})
	}
	if data, _, _ := c.Object("mine", "k"); string(data) != "x" {
		t.Errorf("a refused request changed the object: %q", data)
	}
}

// TestS3ObjectEncryptionHeader: an object put in a bucket with default
// encryption says so, as S3 does.
func TestS3ObjectEncryptionHeader(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "sealed"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	mustS3(cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sealed"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}))(t)
	put := mustS3(cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k"), Body: strings.NewReader("x")}))(t)
	got := mustS3(cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k")}))(t)
	_ = got.Body.Close()
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || got.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("ServerSideEncryption: put %q, get %q", put.ServerSideEncryption, got.ServerSideEncryption)
	}
	// Without a Content-Type (the SDK always sends one), S3 stores its default.
	if status, resp := rawS3(t, c, "PUT", "/sealed/raw", nil, []byte("x")); status != 200 {
		t.Fatalf("raw put: %d %s", status, resp)
	}
	if _, typ, _ := c.Object("sealed", "raw"); typ != "binary/octet-stream" {
		t.Errorf("default Content-Type = %q", typ)
	}
}
