package fakecloud

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestS3ListObjectsV2 lists through the SDK's paginator: prefix,
// start-after, page size, a delimiter, and a URL-encoded listing.
func TestS3ListObjectsV2(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "trail"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	var want []string
	for _, day := range []string{"2026/03/01", "2026/03/02", "2026/03/03"} {
		for i := range 5 {
			key := fmt.Sprintf("audit/%s/123456789012/v%d/%04d.json", day, i%2, i)
			want = append(want, key)
			mustS3(cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), Body: strings.NewReader(key)}))(t)
		}
	}
	mustS3(cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String("other/x"), Body: strings.NewReader("x")}))(t)
	slices.Sort(want)

	list := func(in *s3.ListObjectsV2Input) (keys, prefixes []string, pages int) {
		t.Helper()
		in.Bucket = aws.String("trail")
		p := s3.NewListObjectsV2Paginator(cl, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, o := range page.Contents {
				keys = append(keys, aws.ToString(o.Key))
				if aws.ToInt64(o.Size) == 0 || aws.ToString(o.ETag) == "" || o.LastModified == nil {
					t.Errorf("entry %s lacks size, ETag or LastModified", aws.ToString(o.Key))
				}
			}
			for _, cp := range page.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(cp.Prefix))
			}
			if n := len(page.Contents) + len(page.CommonPrefixes); aws.ToInt32(page.KeyCount) != int32(n) {
				t.Errorf("KeyCount %d, want %d", aws.ToInt32(page.KeyCount), n)
			}
		}
		return keys, prefixes, pages
	}

	if keys, _, pages := list(&s3.ListObjectsV2Input{Prefix: aws.String("audit/"), MaxKeys: aws.Int32(4)}); !slices.Equal(keys, want) || pages != 4 {
		t.Errorf("prefix audit/ in pages of 4: %d pages %v, want 4 pages %v", pages, keys, want)
	}
	if keys, _, _ := list(&s3.ListObjectsV2Input{Prefix: aws.String("audit/"), StartAfter: aws.String("audit/2026/03/02/")}); !slices.Equal(keys, want[5:]) {
		t.Errorf("start-after the second day: %v, want %v", keys, want[5:])
	}
	_, prefixes, pages := list(&s3.ListObjectsV2Input{Prefix: aws.String("audit/2026/03/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	if want := []string{"audit/2026/03/01/", "audit/2026/03/02/", "audit/2026/03/03/"}; !slices.Equal(prefixes, want) || pages != 2 {
		t.Errorf("days under audit/2026/03/: %d pages %v, want 2 pages %v", pages, prefixes, want)
	}
	keys, _, _ := list(&s3.ListObjectsV2Input{Prefix: aws.String("nothing/")})
	if len(keys) != 0 {
		t.Errorf("an empty prefix listed %v", keys)
	}

	status, body := rawS3(t, c, "GET", "/trail?list-type=2&prefix=other/&encoding-type=url", nil, nil)
	if status != 200 || !strings.Contains(body, "<Key>other/x</Key>") || !strings.Contains(body, "<EncodingType>url</EncodingType>") {
		t.Errorf("encoded listing: %d %s", status, body)
	}
	for _, tc := range []struct{ target, code string }{
		{"/trail?list-type=1", "InvalidArgument"},
		{"/trail?list-type=2&max-keys=x", "InvalidArgument"},
		{"/trail?list-type=2&encoding-type=base64", "InvalidArgument"},
		{"/trail?list-type=2&versions", "NotImplemented"},
		{"/trail", "NotImplemented"}, // ListObjects version 1
	} {
		if status, body := rawS3(t, c, "GET", tc.target, nil, nil); !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("GET %s: %d %s, want %s", tc.target, status, body, tc.code)
		}
	}
	_, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nobody")})
	wantS3Error(t, err, "NoSuchBucket", 404)
}

// TestS3ConditionalPut: If-None-Match: * stores a new key once and refuses
// to replace it (412 PreconditionFailed, the object unchanged); a plain
// PUT overwrites, and ObjectWrites counts it.
func TestS3ConditionalPut(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "once"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	put := func(body string, conditional bool) error {
		in := &s3.PutObjectInput{Bucket: aws.String("once"), Key: aws.String("k.json"), Body: strings.NewReader(body)}
		if conditional {
			in.IfNoneMatch = aws.String("*")
		}
		_, err := cl.PutObject(ctx, in)
		return err
	}
	if err := put("first", true); err != nil {
		t.Fatal(err)
	}
	wantS3Error(t, put("second", true), "PreconditionFailed", 412)
	if data, _, _ := c.Object("once", "k.json"); !bytes.Equal(data, []byte("first")) || c.ObjectWrites("once", "k.json") != 1 {
		t.Errorf("after a refused conditional put: %q written %d times, want first once", data, c.ObjectWrites("once", "k.json"))
	}
	if err := put("third", false); err != nil {
		t.Fatal(err)
	}
	if n := c.ObjectWrites("once", "k.json"); n != 2 {
		t.Errorf("ObjectWrites after an overwrite = %d, want 2", n)
	}
	if status, body := rawS3(t, c, "PUT", "/once/k.json", map[string][]string{"If-None-Match": {`"abc"`}}, []byte("x")); status != 501 {
		t.Errorf("If-None-Match with an ETag: %d %s, want 501 NotImplemented", status, body)
	}
	if status, body := rawS3(t, c, "PUT", "/once/k.json", map[string][]string{"If-Match": {`"abc"`}}, []byte("x")); status != 501 {
		t.Errorf("If-Match: %d %s, want 501 NotImplemented", status, body)
	}
	if c.ObjectWrites("once", "missing") != 0 || c.ObjectWrites("nobucket", "k.json") != 0 {
		t.Error("ObjectWrites of a missing key or bucket is not 0")
	}
}
