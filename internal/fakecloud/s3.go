package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// s3NS is the namespace S3 puts on every XML document it reads and writes.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3Service emulates the S3 bucket-configuration API over REST-XML. Buckets
// are global by name, as in AWS: one map for the whole cloud, each bucket
// remembering the account that owns it and the region it lives in.
//
// Operation names (c.action) are CloudTrail eventNames, not SDK operation
// names: PutPublicAccessBlock is "PutBucketPublicAccessBlock". The same name
// is what Principal.Deny ("s3:PutBucketPublicAccessBlock") and Fault.Action
// match, and it is what the starter reads from the event.
type s3Service struct {
	cloud *Cloud

	mu      sync.Mutex
	buckets map[string]*bucket
	objects map[*bucket]map[string]*s3Object // s3_objects.go
}

func newS3Service(c *Cloud) *s3Service {
	return &s3Service{cloud: c, buckets: map[string]*bucket{}}
}

func (s *s3Service) eventSource() string { return "s3.amazonaws.com" }

func (s *s3Service) actions() []string { return slices.Sorted(maps.Keys(s3Handlers)) }

// s3Route maps a bucket subresource and a method to an operation.
type s3Route struct {
	method, subresource, action string
}

// s3Routes lists the bucket subresources the fake serves. Query().Has
// matches whole keys, so "policy" never matches "policyStatus".
var s3Routes = []s3Route{
	{http.MethodGet, "publicAccessBlock", "GetBucketPublicAccessBlock"},
	{http.MethodPut, "publicAccessBlock", "PutBucketPublicAccessBlock"},
	{http.MethodDelete, "publicAccessBlock", "DeleteBucketPublicAccessBlock"},
	{http.MethodGet, "policyStatus", "GetBucketPolicyStatus"},
	{http.MethodGet, "policy", "GetBucketPolicy"},
	{http.MethodPut, "policy", "PutBucketPolicy"},
	{http.MethodDelete, "policy", "DeleteBucketPolicy"},
	{http.MethodGet, "encryption", "GetBucketEncryption"},
	{http.MethodPut, "encryption", "PutBucketEncryption"},
	{http.MethodDelete, "encryption", "DeleteBucketEncryption"},
	{http.MethodGet, "tagging", "GetBucketTagging"},
	{http.MethodPut, "tagging", "PutBucketTagging"},
	{http.MethodDelete, "tagging", "DeleteBucketTagging"},
	{http.MethodGet, "acl", "GetBucketAcl"},
	{http.MethodPut, "acl", "PutBucketAcl"},
	{http.MethodGet, "location", "GetBucketLocation"},
	{http.MethodGet, "logging", "GetBucketLogging"},
	{http.MethodPut, "logging", "PutBucketLogging"},
}

// s3Handler runs one operation against the bucket (or service) t names.
type s3Handler func(s *s3Service, c *call, t s3Target) *APIError

var s3Handlers = map[string]s3Handler{
	"ListBuckets":                   (*s3Service).listBuckets,
	"CreateBucket":                  (*s3Service).createBucket,
	"DeleteBucket":                  (*s3Service).deleteBucketIfEmpty,
	"HeadBucket":                    (*s3Service).headBucket,
	"GetBucketLocation":             (*s3Service).getBucketLocation,
	"GetBucketPublicAccessBlock":    (*s3Service).getPublicAccessBlock,
	"PutBucketPublicAccessBlock":    (*s3Service).putPublicAccessBlock,
	"DeleteBucketPublicAccessBlock": (*s3Service).deletePublicAccessBlock,
	"GetBucketPolicy":               (*s3Service).getBucketPolicy,
	"PutBucketPolicy":               (*s3Service).putBucketPolicy,
	"DeleteBucketPolicy":            (*s3Service).deleteBucketPolicy,
	"GetBucketPolicyStatus":         (*s3Service).getBucketPolicyStatus,
	"GetBucketEncryption":           (*s3Service).getBucketEncryption,
	"PutBucketEncryption":           (*s3Service).putBucketEncryption,
	"DeleteBucketEncryption":        (*s3Service).deleteBucketEncryption,
	"GetBucketTagging":              (*s3Service).getBucketTagging,
	"PutBucketTagging":              (*s3Service).putBucketTagging,
	"DeleteBucketTagging":           (*s3Service).deleteBucketTagging,
	"GetBucketAcl":                  (*s3Service).getBucketACL,
	"PutBucketAcl":                  (*s3Service).putBucketACL,
	"GetBucketLogging":              (*s3Service).getBucketLogging,
	"PutBucketLogging":              (*s3Service).putBucketLogging,
	"GetObject":                     (*s3Service).getObject,
	"HeadObject":                    (*s3Service).headObject,
	"PutObject":                     (*s3Service).putObject,
	"DeleteObject":                  (*s3Service).deleteObject,
	"ListObjects":                   (*s3Service).listObjects,
}

// route names the operation from the method, the addressed bucket and the
// subresource in the query string, or the object key (s3_objects.go).
// Anything else S3 has (versioning, lifecycle, multipart...) is answered
// NotImplemented so a caller learns at once that the fake lacks it rather
// than getting a misleading success.
func (s *s3Service) route(r *http.Request, _ []byte) (string, *APIError) {
	t := s.target(r)
	if t.bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets", nil
		}
		return "", s3MethodNotAllowed()
	}
	if t.key != "" {
		return s.routeObject(r)
	}
	q := r.URL.Query()
	if r.Method == http.MethodGet && q.Has("list-type") {
		return s.routeList(q)
	}
	for _, rt := range s3Routes {
		if q.Has(rt.subresource) && rt.method == r.Method {
			return rt.action, nil
		}
	}
	for _, rt := range s3Routes {
		if q.Has(rt.subresource) {
			return "", s3MethodNotAllowed()
		}
	}
	for k := range q {
		if k != "x-id" && !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return "", s3NotImplemented("the ?" + k + " subresource")
		}
	}
	switch r.Method {
	case http.MethodPut:
		return "CreateBucket", nil
	case http.MethodDelete:
		return "DeleteBucket", nil
	case http.MethodHead:
		return "HeadBucket", nil
	case http.MethodGet:
		return "", s3NotImplemented("ListObjects (version 1): use ListObjectsV2")
	}
	return "", s3MethodNotAllowed()
}

// handle records a mutating call before anything can fail, decodes the body
// (aws-chunked, digests) and runs the operation.
func (s *s3Service) handle(c *call) *APIError {
	t := s.target(c.r)
	if !readOnlyAction(c.action) && !s3ObjectActions[c.action] {
		s.record(c, t, nil)
	}
	body, err := decodeS3Body(c.r, c.body)
	if err != nil {
		return err
	}
	c.body = body
	h, ok := s3Handlers[c.action]
	if !ok {
		return s3NotImplemented(c.action)
	}
	return h(s, c, t)
}

// s3ErrorBody is S3's error document. BucketName and AWSAccessKeyId appear
// only on the errors that name them.
type s3ErrorBody struct {
	XMLName        xml.Name `xml:"Error"`
	Code           string   `xml:"Code"`
	Message        string   `xml:"Message"`
	BucketName     string   `xml:"BucketName,omitempty"`
	AWSAccessKeyID string   `xml:"AWSAccessKeyId,omitempty"`
	Endpoint       string   `xml:"Endpoint,omitempty"`
	Bucket         string   `xml:"Bucket,omitempty"`
	RequestID      string   `xml:"RequestId"`
	HostID         string   `xml:"HostId"`
}

// s3BucketErrors are the codes whose error document names the bucket.
var s3BucketErrors = map[string]bool{
	"NoSuchBucket":                                   true,
	"BucketAlreadyExists":                            true,
	"BucketAlreadyOwnedByYou":                        true,
	"InvalidBucketName":                              true,
	"NoSuchBucketPolicy":                             true,
	"NoSuchTagSet":                                   true,
	"NoSuchPublicAccessBlockConfiguration":           true,
	"ServerSideEncryptionConfigurationNotFoundError": true,
}

// writeError writes S3's XML error document. HEAD responses carry no body,
// which is why the SDK can only report HeadBucket failures by status
// (404 → NotFound, 403 → Forbidden, 301 → MovedPermanently).
func (s *s3Service) writeError(c *call, err *APIError) {
	c.w.Header().Set("x-amz-id-2", s3HostID(c.requestID))
	t := s.target(c.r)
	var endpoint string
	if err.Code == "PermanentRedirect" {
		// The redirect names the bucket's endpoint, as S3's does, so a
		// client can tell which region to use.
		s.mu.Lock()
		if b, ok := s.buckets[t.bucket]; ok {
			c.w.Header().Set("x-amz-bucket-region", b.region)
			endpoint = s3TrailHost(s3Target{bucket: t.bucket, virtual: true}, b.region)
		}
		s.mu.Unlock()
	}
	if c.r.Method == http.MethodHead {
		c.writeEmpty(err.Status)
		return
	}
	doc := s3ErrorBody{Code: err.Code, Message: err.Message, RequestID: c.requestID, HostID: s3HostID(c.requestID)}
	if s3BucketErrors[err.Code] {
		doc.BucketName = t.bucket
	}
	if endpoint != "" {
		doc.Endpoint, doc.Bucket = endpoint, t.bucket
	}
	if err.Code == "InvalidAccessKeyId" {
		doc.AWSAccessKeyID, _, _ = credentialScope(c.r)
	}
	c.writeXML(err.Status, doc)
}

func (s *s3Service) authError(string) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "InvalidAccessKeyId",
		Message: "The AWS Access Key Id you provided does not exist in our records."}
}

// deniedError words the denial the way S3 has since 2023, naming the IAM
// action (which is not always the event name) and the bucket.
func (s *s3Service) deniedError(c *call) *APIError {
	resource := "arn:aws:s3:::" + s.target(c.r).bucket
	if c.action == "ListBuckets" {
		resource = "*"
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: %s on resource: %q because no identity-based policy allows the %[2]s action",
		c.principal.ARN, s3IAMAction(c.action), resource)}
}

// s3IAMAction is the IAM action that authorizes an operation; S3 names
// several after older API names.
func s3IAMAction(action string) string {
	switch action {
	case "ListBuckets":
		return "s3:ListAllMyBuckets"
	case "HeadBucket":
		return "s3:ListBucket"
	case "GetBucketEncryption":
		return "s3:GetEncryptionConfiguration"
	case "PutBucketEncryption", "DeleteBucketEncryption":
		return "s3:PutEncryptionConfiguration"
	case "DeleteBucketTagging":
		return "s3:PutBucketTagging"
	case "DeleteBucketPublicAccessBlock":
		return "s3:PutBucketPublicAccessBlock"
	}
	return "s3:" + action
}

// s3HostID stands in for x-amz-id-2, which S3 sends with every response.
func s3HostID(requestID string) string {
	sum := sha256.Sum256([]byte("fakecloud-s3-host:" + requestID))
	return hex.EncodeToString(sum[:])
}

// Errors S3 returns, with its status codes and wording.

func s3Error(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func s3NoSuchBucket() *APIError {
	return s3Error(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
}

func s3AccessDenied() *APIError {
	return s3Error(http.StatusForbidden, "AccessDenied", "Access Denied")
}

func s3MalformedXML() *APIError {
	return s3Error(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func s3NotImplemented(what string) *APIError {
	return s3Error(http.StatusNotImplemented, "NotImplemented",
		"A header you provided implies functionality that is not implemented (fakecloud does not emulate %s)", what)
}

func s3MethodNotAllowed() *APIError {
	return s3Error(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
}

// ownedBucket returns the named bucket if the caller's account owns it and
// the request was sent to the bucket's region. The caller holds s.mu.
//
// A request signed for another region is PermanentRedirect, as S3's
// regional endpoints answer: rectify must call each bucket in its own
// region, and a fake that accepted any region would hide that bug. A name
// another account owns is AccessDenied, never NoSuchBucket: S3 does not
// tell strangers more than that. x-amz-expected-bucket-owner, which the SDK
// sends when ExpectedBucketOwner is set, is checked the same way.
func (s *s3Service) ownedBucket(c *call, name string) (*bucket, *APIError) {
	b, ok := s.buckets[name]
	if !ok {
		return nil, s3NoSuchBucket()
	}
	if b.region != c.region {
		return nil, s3Error(http.StatusMovedPermanently, "PermanentRedirect",
			"The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
	}
	if b.owner != c.account() {
		return nil, s3AccessDenied()
	}
	if want := c.r.Header.Get("x-amz-expected-bucket-owner"); want != "" && want != b.owner {
		return nil, s3AccessDenied()
	}
	return b, nil
}

// s3Target is what a request addresses.
type s3Target struct {
	bucket string // empty for service-level requests (ListBuckets)
	key    string // object key; objects are not emulated
	// virtual is true when the bucket came from the Host header.
	virtual bool
}

// target reads the bucket from the Host (virtual-hosted style) or from the
// first path segment (path style).
//
// A dotted DNS name for the endpoint itself (host.docker.internal) looks
// virtual-hosted too. A request whose Host names no existing bucket but
// whose path does is read as path style; the reverse fallback is never
// taken, so an object PUT to a virtual-hosted bucket cannot turn into
// CreateBucket for the key's name.
func (s *s3Service) target(r *http.Request) s3Target {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	pathStyle := s3Target{bucket: bucket, key: key}
	vb := virtualHostBucket(r.Host, listenerHost(r))
	if vb == "" {
		return pathStyle
	}
	virtual := s3Target{bucket: vb, key: path, virtual: true}
	if path == "" {
		return virtual
	}
	s.mu.Lock()
	_, hostIsBucket := s.buckets[vb]
	_, pathIsBucket := s.buckets[bucket]
	s.mu.Unlock()
	if !hostIsBucket && pathIsBucket {
		return pathStyle
	}
	return virtual
}

// listenerHost is the host the connection was accepted on, so a request to
// that address (the URL Start returned) is never mistaken for a bucket.
func listenerHost(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return ""
	}
	return host
}

// virtualHostBucket returns the bucket a virtual-hosted Host names, or ""
// when the Host is the endpoint itself. The SDK with UsePathStyle=false and
// BaseEndpoint http://localhost:PORT sends "bucket.localhost:PORT"; against
// an endpoint such as s3.127.0.0.1.nip.io it sends
// "bucket.s3.127.0.0.1.nip.io". A host is the endpoint itself when it is an
// IP literal, the listener's host, localhost, a single label (a compose
// service name such as "fakecloud"), or starts with an "s3." / "s3-" label
// as AWS endpoints do. Otherwise the bucket is everything before the
// ".s3." / ".s3-" label, the listener host or ".localhost", else the first
// label. So dotted bucket names work behind those suffixes, and a
// multi-label DNS name for the endpoint itself (host.docker.internal) would
// be read as a bucket, which target corrects for existing buckets.
func virtualHostBucket(hostport, listener string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	switch {
	case host == "", host == "localhost", host == listener, net.ParseIP(host) != nil,
		!strings.Contains(host, "."),
		strings.HasPrefix(host, "s3."), strings.HasPrefix(host, "s3-"):
		return ""
	}
	for _, sep := range []string{".s3.", ".s3-"} {
		if i := strings.Index(host, sep); i > 0 {
			return host[:i]
		}
	}
	if listener != "" {
		if i := strings.Index(host, "."+listener+"."); i > 0 {
			return host[:i]
		}
		if strings.HasSuffix(host, "."+listener) {
			return strings.TrimSuffix(host, "."+listener)
		}
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok {
		return b
	}
	first, _, _ := strings.Cut(host, ".")
	return first
}
