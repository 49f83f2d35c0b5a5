package fakecloud

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strconv"
	"strings"
)

// decodeS3Body returns the payload of an S3 request body. It undoes the
// aws-chunked content encoding that SDKs use for streaming and
// trailing-checksum uploads, then checks every digest the client sent
// (Content-MD5, x-amz-checksum-* in a header or a trailer, a hex
// x-amz-content-sha256), as S3 does before it acts on a body. The Go SDK
// sends the small configuration bodies here unchunked with an
// x-amz-checksum-crc32 header, but another client, or the SDK over TLS,
// may chunk them.
func decodeS3Body(r *http.Request, raw []byte) ([]byte, *APIError) {
	payload, trailers := raw, map[string]string{}
	contentSHA := r.Header.Get("x-amz-content-sha256")
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") || strings.HasPrefix(contentSHA, "STREAMING-") {
		var ok bool
		payload, trailers, ok = decodeAWSChunked(raw)
		if !ok {
			return nil, s3Error(http.StatusBadRequest, "IncompleteBody", "The request body is not valid aws-chunked encoding.")
		}
		if n := r.Header.Get("x-amz-decoded-content-length"); n != "" && n != strconv.Itoa(len(payload)) {
			return nil, s3Error(http.StatusBadRequest, "IncompleteBody",
				"You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header")
		}
	} else if len(contentSHA) == 64 {
		sum := sha256.Sum256(raw)
		if !strings.EqualFold(contentSHA, hex.EncodeToString(sum[:])) {
			return nil, s3Error(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
				"The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	if err := checkS3Digests(r.Header, trailers, payload); err != nil {
		return nil, err
	}
	return payload, nil
}

// decodeAWSChunked reads "<hex size>[;chunk-signature=...]\r\n<data>\r\n"
// chunks up to the zero-size chunk, then "name:value\r\n" trailers.
func decodeAWSChunked(raw []byte) ([]byte, map[string]string, bool) {
	crlf := []byte("\r\n")
	var payload []byte
	for {
		line, rest, ok := bytes.Cut(raw, crlf)
		if !ok {
			return nil, nil, false
		}
		sizeHex, _, _ := strings.Cut(string(line), ";")
		n, err := strconv.ParseUint(strings.TrimSpace(sizeHex), 16, 31)
		if err != nil {
			return nil, nil, false
		}
		raw = rest
		if n == 0 {
			break
		}
		if uint64(len(raw)) < n+2 || !bytes.Equal(raw[n:n+2], crlf) {
			return nil, nil, false
		}
		payload = append(payload, raw[:n]...)
		raw = raw[n+2:]
	}
	trailers := map[string]string{}
	for len(raw) > 0 {
		line, rest, ok := bytes.Cut(raw, crlf)
		if !ok {
			line, rest = raw, nil
		}
		raw = rest
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok {
			return nil, nil, false
		}
		trailers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if payload == nil {
		payload = []byte{}
	}
	return payload, trailers, true
}

// s3Checksums are the flexible checksums S3 verifies, by header suffix.
var s3Checksums = []struct {
	name string
	hash func() hash.Hash
}{
	{"crc32", func() hash.Hash { return crc32.NewIEEE() }},
	{"crc32c", func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	// CRC-64/NVME: Go's crc64 takes the reflected polynomial and already
	// applies the all-ones initial value and final xor that NVME uses.
	{"crc64nvme", func() hash.Hash { return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5)) }},
	{"sha1", sha1.New},
	{"sha256", sha256.New},
}

func checkS3Digests(h http.Header, trailers map[string]string, payload []byte) *APIError {
	if v := h.Get("Content-MD5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return s3Error(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		if got := md5.Sum(payload); !bytes.Equal(got[:], want) {
			return s3Error(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	for _, ck := range s3Checksums {
		name := "x-amz-checksum-" + ck.name
		want := h.Get(name)
		if want == "" {
			want = trailers[name]
		}
		if want == "" {
			continue
		}
		hh := ck.hash()
		hh.Write(payload)
		// Sum is big-endian for the CRCs, the byte order S3 encodes.
		if base64.StdEncoding.EncodeToString(hh.Sum(nil)) != want {
			return s3Error(http.StatusBadRequest, "BadDigest",
				"The %s you specified did not match the calculated checksum.", strings.ToUpper(ck.name))
		}
	}
	return nil
}
