package fakecloud

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func crc32Base64(b []byte) string {
	h := crc32.NewIEEE()
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// awsChunked encodes payload as aws-chunked in chunks of size n, with a
// chunk signature on each chunk (as SigV4 streaming does) and trailers.
func awsChunked(payload string, n int, trailers ...string) string {
	var sb strings.Builder
	for len(payload) > 0 {
		k := min(n, len(payload))
		fmt.Fprintf(&sb, "%x;chunk-signature=%064d\r\n%s\r\n", k, 0, payload[:k])
		payload = payload[k:]
	}
	sb.WriteString("0\r\n")
	for _, tr := range trailers {
		sb.WriteString(tr + "\r\n")
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// TestS3AWSChunked sends PutBucketPolicy the way an SDK streams a body:
// Content-Encoding aws-chunked with a trailing checksum.
func TestS3AWSChunked(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "chunky"}); err != nil {
		t.Fatal(err)
	}
	policy := fmt.Sprintf(publicReadPolicy, "chunky")
	streaming := func(decodedLen int) http.Header {
		return http.Header{
			"Content-Encoding":             {"aws-chunked"},
			"X-Amz-Content-Sha256":         {"STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
			"X-Amz-Decoded-Content-Length": {strconv.Itoa(decodedLen)},
			"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
		}
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		status int
		code   string
	}{
		{"one chunk", streaming(len(policy)), awsChunked(policy, 1<<20, "x-amz-checksum-crc32:"+crc32Base64([]byte(policy))), 204, ""},
		{"many chunks", streaming(len(policy)), awsChunked(policy, 7, "x-amz-checksum-crc32:"+crc32Base64([]byte(policy))), 204, ""},
		{"no trailer", streaming(len(policy)), awsChunked(policy, 16), 204, ""},
		{"wrong trailing checksum", streaming(len(policy)), awsChunked(policy, 16, "x-amz-checksum-crc32:AAAAAA=="), 400, "BadDigest"},
		{"wrong decoded length", streaming(len(policy) + 1), awsChunked(policy, 16), 400, "IncompleteBody"},
		{"bad chunk size", streaming(len(policy)), "zz\r\n" + policy + "\r\n0\r\n\r\n", 400, "IncompleteBody"},
		{"short chunk", streaming(len(policy)), "ffff\r\n" + policy + "\r\n0\r\n\r\n", 400, "IncompleteBody"},
		{"unterminated", streaming(len(policy)), fmt.Sprintf("%x\r\n%s", len(policy), policy), 400, "IncompleteBody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, resp := rawS3(t, c, http.MethodPut, "/chunky?policy", tc.header, []byte(tc.body))
			if status != tc.status || (tc.code != "" && !strings.Contains(resp, "<Code>"+tc.code+"</Code>")) {
				t.Fatalf("status %d %s, want %d %s", status, resp, tc.status, tc.code)
			}
			if tc.code == "" {
				out := mustS3(pathClient(cfg).GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String("chunky")}))(t)
				if aws.ToString(out.Policy) != policy {
					t.Errorf("stored policy = %q", aws.ToString(out.Policy))
				}
			}
		})
	}
}

func TestS3Digests(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "digest"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cl := pathClient(cfg)
	policy := fmt.Sprintf(publicReadPolicy, "digest")

	// Every flexible checksum the SDK can send is computed the same way here.
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		t.Run(string(alg), func(t *testing.T) {
			mustS3(cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("digest"), Policy: aws.String(policy), ChecksumAlgorithm: alg}))(t)
		})
	}
	sum := md5.Sum([]byte(policy))
	for _, tc := range []struct {
		name   string
		header http.Header
		code   string
	}{
		{"Content-MD5 good", http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}, ""},
		{"Content-MD5 wrong", http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(make([]byte, 16))}}, "BadDigest"},
		{"Content-MD5 not base64", http.Header{"Content-Md5": {"!!"}}, "InvalidDigest"},
		{"crc32 wrong", http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}, "BadDigest"},
		{"sha256 wrong", http.Header{"X-Amz-Checksum-Sha256": {base64.StdEncoding.EncodeToString(make([]byte, 32))}}, "BadDigest"},
		{"content sha256 wrong", http.Header{"X-Amz-Content-Sha256": {strings.Repeat("0", 64)}}, "XAmzContentSHA256Mismatch"},
		{"unsigned payload", http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, resp := rawS3(t, c, http.MethodPut, "/digest?policy", tc.header, []byte(policy))
			if tc.code == "" && status != 204 || tc.code != "" && (status != 400 || !strings.Contains(resp, "<Code>"+tc.code+"</Code>")) {
				t.Errorf("status %d %s, want %s", status, resp, tc.code)
			}
		})
	}
}

// The parsers face whatever a client sends: they must return, not panic.

func FuzzS3TrailBody(f *testing.F) {
	for _, s := range []string{
		`<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>`,
		`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>u</URI></Grantee></Grant><Grant/></AccessControlList></AccessControlPolicy>`,
		`<a><b/><b>x</b><b><c/></b></a>`, `<a>`, `</a>`, `<?xml version="1.0"?><a/>trailing`, "\x00<",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = s3TrailBody(body)
		var cfg sseConfiguration
		_, _ = parseS3XML(body, &cfg)
	})
}

func FuzzDecodeAWSChunked(f *testing.F) {
	for _, s := range []string{awsChunked("hello world", 3, "x-amz-checksum-crc32:AAAAAA=="), "0\r\n\r\n", "5\r\nab", "7fffffff\r\n", "-1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _ = decodeAWSChunked(body)
	})
}

func FuzzParseBucketPolicy(f *testing.F) {
	for _, s := range []string{fmt.Sprintf(publicReadPolicy, "b"), `{"Statement":[null]}`, `{"Statement":{}}`, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":[1]}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if p, err := parseBucketPolicy("b", body); err == nil {
			_ = p.isPublic()
		}
	})
}
