package fakecloud

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Simple S3 objects: PutObject, GetObject, HeadObject and DeleteObject of
// a whole object in one request, and ListObjectsV2 (s3_list.go): enough for
// what rectify reads (the item of an oversized Config notification), what
// it writes and reads back (the audit trail) and for a test to put one. A
// PutObject with If-None-Match: * is a conditional write that never
// replaces an existing object, as S3's is. There are no versions, ranges,
// multipart uploads, object ACLs or tags; a request for those is answered
// NotImplemented, never half-served.
//
// Object calls are data events, which CloudTrail does not log by default,
// so they write no CloudTrail record (see s3.go handle).

// maxKeyLength is S3's limit on an object key, in UTF-8 bytes.
const maxKeyLength = 1024

// s3Object is one stored object, guarded by s3Service.mu.
type s3Object struct {
	data        []byte
	contentType string
	etag        string // quoted hex MD5, as S3 gives it for a simple upload
	crc32       string // base64 big-endian CRC32 of data
	modified    time.Time
	metadata    http.Header // x-amz-meta-*, and the representation headers S3 keeps
	sse         string      // x-amz-server-side-encryption: the bucket default at PUT time
	// writes counts the PUTs that stored this key since it last did not
	// exist: 1 for an object never overwritten.
	writes int
}

// s3ObjectActions are the object operations, all data events.
var s3ObjectActions = map[string]bool{"GetObject": true, "PutObject": true, "HeadObject": true, "DeleteObject": true}

// s3KeptHeaders are the request headers S3 stores with an object and
// returns on GET and HEAD.
var s3KeptHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

func newS3Object(data []byte, h http.Header, now time.Time) *s3Object {
	sum := md5.Sum(data)
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(data))
	o := &s3Object{
		data: data, contentType: h.Get("Content-Type"),
		etag:     `"` + hex.EncodeToString(sum[:]) + `"`,
		crc32:    base64.StdEncoding.EncodeToString(crc[:]),
		modified: now.UTC().Truncate(time.Second),
		metadata: http.Header{},
	}
	if o.contentType == "" {
		o.contentType = "binary/octet-stream"
	}
	for k, v := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-meta-") {
			o.metadata[k] = v
		}
	}
	for _, k := range s3KeptHeaders {
		if v := h.Get(k); v != "" {
			o.metadata.Set(k, v)
		}
	}
	return o
}

// storeObject puts o at key in b. The caller holds s.mu. Objects are kept
// by bucket, not by name, so a bucket deleted and created again is empty.
func (s *s3Service) storeObject(b *bucket, key string, o *s3Object) {
	if s.objects == nil {
		s.objects = map[*bucket]map[string]*s3Object{}
	}
	if s.objects[b] == nil {
		s.objects[b] = map[string]*s3Object{}
	}
	if e := b.encryption; e != nil && len(e.Rules) > 0 && e.Rules[0].Default != nil {
		o.sse = e.Rules[0].Default.SSEAlgorithm
	}
	o.writes = 1
	if old, ok := s.objects[b][key]; ok {
		o.writes = old.writes + 1
	}
	s.objects[b][key] = o
}

// routeObject names the operation on an object key.
func (s *s3Service) routeObject(r *http.Request) (string, *APIError) {
	for k := range r.URL.Query() {
		if k != "x-id" && !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return "", s3NotImplemented("the ?" + k + " object subresource")
		}
	}
	switch r.Method {
	case http.MethodGet:
		return "GetObject", nil
	case http.MethodHead:
		return "HeadObject", nil
	case http.MethodPut:
		if r.Header.Get("x-amz-copy-source") != "" {
			return "", s3NotImplemented("CopyObject")
		}
		return "PutObject", nil
	case http.MethodDelete:
		return "DeleteObject", nil
	}
	return "", s3MethodNotAllowed()
}

func s3NoSuchKey() *APIError {
	return s3Error(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func (s *s3Service) putObject(c *call, t s3Target) *APIError {
	switch {
	case len(t.key) > maxKeyLength:
		return s3Error(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	case c.r.ContentLength > maxBody:
		return s3Error(http.StatusBadRequest, "EntityTooLarge",
			"Your proposed upload exceeds the maximum allowed size (fakecloud keeps objects up to %d bytes)", maxBody)
	}
	if n := c.r.Header.Get("x-amz-decoded-content-length"); n != "" {
		if size, err := strconv.ParseInt(n, 10, 64); err == nil && size > maxBody {
			return s3Error(http.StatusBadRequest, "EntityTooLarge",
				"Your proposed upload exceeds the maximum allowed size (fakecloud keeps objects up to %d bytes)", maxBody)
		}
	}
	// S3 takes only "*" in a PUT's If-None-Match (write only if the key
	// does not exist); If-Match on a PUT compares ETags, which the fake
	// does not: refused rather than ignored, so no overwrite is silent.
	ifNoneMatch := c.r.Header.Get("If-None-Match")
	switch {
	case ifNoneMatch != "" && ifNoneMatch != "*":
		return s3NotImplemented("If-None-Match other than * on PutObject")
	case c.r.Header.Get("If-Match") != "":
		return s3NotImplemented("If-Match on PutObject")
	}
	header := c.r.Header.Clone()
	// aws-chunked is how the body travelled, not how it is stored.
	if enc := header.Get("Content-Encoding"); enc != "" {
		var kept []string
		for part := range strings.SplitSeq(enc, ",") {
			if p := strings.TrimSpace(part); p != "" && p != "aws-chunked" {
				kept = append(kept, p)
			}
		}
		header.Set("Content-Encoding", strings.Join(kept, ","))
	}
	o := newS3Object(c.body, header, c.time)

	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	if err == nil {
		if _, exists := s.objects[b][t.key]; exists && ifNoneMatch == "*" {
			err = s3Error(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
		} else {
			s.storeObject(b, t.key, o)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("ETag", o.etag)
	h.Set("x-amz-checksum-crc32", o.crc32)
	if o.sse != "" {
		h.Set("x-amz-server-side-encryption", o.sse)
	}
	c.writeEmpty(http.StatusOK)
	return nil
}

func (s *s3Service) getObject(c *call, t s3Target) *APIError {
	return s.readObject(c, t, true)
}

func (s *s3Service) headObject(c *call, t s3Target) *APIError {
	return s.readObject(c, t, false)
}

// readObject answers GetObject (withBody) and HeadObject. It honours no
// Range or conditional headers: a Range is refused rather than ignored, so
// a caller never mistakes the whole object for the part it asked for.
func (s *s3Service) readObject(c *call, t s3Target, withBody bool) *APIError {
	if c.r.Header.Get("Range") != "" || c.r.URL.Query().Has("partNumber") {
		return s3NotImplemented("ranged and part reads")
	}
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var o *s3Object
	if err == nil {
		o = s.objects[b][t.key]
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return err
	case o == nil:
		return s3NoSuchKey()
	}
	h := c.w.Header()
	maps.Copy(h, o.metadata)
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Length", strconv.Itoa(len(o.data)))
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if o.sse != "" {
		h.Set("x-amz-server-side-encryption", o.sse)
	}
	if strings.EqualFold(c.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		h.Set("x-amz-checksum-crc32", o.crc32)
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	c.writeEmpty(http.StatusOK)
	if withBody {
		_, _ = c.w.Write(o.data)
	}
	return nil
}

// deleteObject succeeds whether or not the key exists, as S3 does.
func (s *s3Service) deleteObject(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	if err == nil {
		delete(s.objects[b], t.key)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// deleteBucketIfEmpty refuses to delete a bucket that holds objects, as S3
// does, and otherwise deletes it (s3_buckets.go).
func (s *s3Service) deleteBucketIfEmpty(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	full := err == nil && len(s.objects[b]) > 0
	s.mu.Unlock()
	if full {
		return s3Error(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	}
	if err := s.deleteBucket(c, t); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.objects, b)
	s.mu.Unlock()
	return nil
}

// ObjectWrites says how often a key was stored since it last did not
// exist (1: never overwritten), for tests of write-once keys; 0 when the
// bucket or the key does not exist.
func (c *Cloud) ObjectWrites(bucketName, key string) int {
	s := c.s3
	s.mu.Lock()
	defer s.mu.Unlock()
	b, found := s.buckets[bucketName]
	if !found {
		return 0
	}
	if o, found := s.objects[b][key]; found {
		return o.writes
	}
	return 0
}

// Object returns a copy of an object's bytes and its content type, for
// tests; ok is false when the bucket or the key does not exist.
func (c *Cloud) Object(bucketName, key string) (data []byte, contentType string, ok bool) {
	s := c.s3
	s.mu.Lock()
	defer s.mu.Unlock()
	b, found := s.buckets[bucketName]
	if !found {
		return nil, "", false
	}
	o, found := s.objects[b][key]
	if !found {
		return nil, "", false
	}
	return append([]byte(nil), o.data...), o.contentType, true
}
