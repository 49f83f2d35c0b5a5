package fakecloud

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"maps"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// bucket is one S3 bucket and the configuration the fake emulates. The
// fields are guarded by s3Service.mu.
type bucket struct {
	name    string
	owner   string // account ID
	region  string
	created time.Time

	pab        *publicAccessBlock // nil: none
	policy     string             // the JSON as put; "": none
	encryption *sseConfiguration  // nil: S3's default, SSE-S3
	tags       []s3Tag            // nil: no tag set
	logging    *bucketLogging     // nil: server access logging off
	grants     []aclGrant         // never empty: the owner keeps FULL_CONTROL by default
}

// BucketInfo is a snapshot of a bucket, for tests that assert what a
// remediation changed in the fake cloud.
type BucketInfo struct {
	Name    string
	Owner   string // account ID
	Region  string
	Created time.Time
	// PublicAccessBlock is nil when the bucket has none.
	PublicAccessBlock *PublicAccessBlockSeed
	// Policy is the bucket policy JSON as it was put; "" for none.
	Policy string
	// Tags is nil when the bucket has no tag set.
	Tags map[string]string
	// Encryption is the first default-encryption rule; nil when none was
	// set (or it was deleted), which S3 serves as SSE-S3 without a bucket key.
	Encryption *BucketEncryption
	Grants     []BucketGrant
	// Logging is nil when server access logging is off.
	Logging *BucketLoggingSeed
}

// BucketEncryption is a bucket's default encryption rule.
type BucketEncryption struct {
	SSEAlgorithm     string `yaml:"sse_algorithm"` // AES256, aws:kms or aws:kms:dsse
	KMSMasterKeyID   string `yaml:"kms_master_key_id"`
	BucketKeyEnabled bool   `yaml:"bucket_key_enabled"`
}

// BucketGrant is one ACL grant. URI is set for groups (AllUsers,
// AuthenticatedUsers, LogDelivery), ID for canonical users.
type BucketGrant struct {
	GranteeType string // CanonicalUser or Group
	ID          string
	URI         string
	Permission  string
}

// Bucket returns a snapshot of the named bucket, whichever account owns it.
func (c *Cloud) Bucket(name string) (BucketInfo, bool) {
	s := c.s3
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return BucketInfo{}, false
	}
	info := BucketInfo{Name: b.name, Owner: b.owner, Region: b.region, Created: b.created, Policy: b.policy}
	if p := b.pab; p != nil {
		info.PublicAccessBlock = &PublicAccessBlockSeed{
			BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
			BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets,
		}
	}
	if b.tags != nil {
		info.Tags = map[string]string{}
		for _, t := range b.tags {
			info.Tags[t.Key] = t.Value
		}
	}
	if e := b.encryption; e != nil && len(e.Rules) > 0 {
		r := e.Rules[0]
		info.Encryption = &BucketEncryption{BucketKeyEnabled: r.BucketKeyEnabled != nil && *r.BucketKeyEnabled}
		if d := r.Default; d != nil {
			info.Encryption.SSEAlgorithm, info.Encryption.KMSMasterKeyID = d.SSEAlgorithm, d.KMSMasterKeyID
		}
	}
	if l := b.logging; l != nil {
		info.Logging = &BucketLoggingSeed{TargetBucket: l.TargetBucket, TargetPrefix: l.TargetPrefix}
	}
	for _, g := range b.grants {
		info.Grants = append(info.Grants, BucketGrant{GranteeType: g.Grantee.Type, ID: g.Grantee.ID, URI: g.Grantee.URI, Permission: g.Permission})
	}
	return info, true
}

// SeedBucket creates a bucket without emitting events. It checks the name
// and the policy as CreateBucket and PutBucketPolicy would.
func (c *Cloud) SeedBucket(account string, b BucketSeed) error {
	if err := validBucketName(b.Name); err != nil {
		return fmt.Errorf("bucket %q: %w", b.Name, err)
	}
	nb := &bucket{name: b.Name, owner: account, region: b.Region, created: c.now().UTC(), grants: cannedGrants("private", account)}
	if nb.region == "" {
		nb.region = DefaultRegion
	}
	if p := b.PublicAccessBlock; p != nil {
		nb.pab = &publicAccessBlock{
			BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
			BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets,
		}
	}
	if b.Tags != nil {
		for _, k := range slices.Sorted(maps.Keys(b.Tags)) {
			nb.tags = append(nb.tags, s3Tag{Key: k, Value: b.Tags[k]})
		}
		if err := validS3TagSet(nb.tags); err != nil {
			return fmt.Errorf("bucket %s tags: %w", b.Name, err)
		}
	}
	if b.Policy != "" {
		if _, err := parseBucketPolicy(b.Name, []byte(b.Policy)); err != nil {
			return fmt.Errorf("bucket %s policy: %w", b.Name, err)
		}
		nb.policy = b.Policy
	}
	if e := b.Encryption; e != nil {
		bucketKey := e.BucketKeyEnabled
		cfg := &sseConfiguration{Rules: []sseRule{{
			Default:          &sseDefault{SSEAlgorithm: e.SSEAlgorithm, KMSMasterKeyID: e.KMSMasterKeyID},
			BucketKeyEnabled: &bucketKey,
		}}}
		if err := validSSE(cfg); err != nil {
			return fmt.Errorf("bucket %s encryption: %s: %s", b.Name, err.Code, err.Message)
		}
		nb.encryption = cfg
	}
	if l := b.Logging; l != nil {
		if l.TargetBucket == "" {
			return fmt.Errorf("bucket %s logging: no target bucket", b.Name)
		}
		nb.logging = &bucketLogging{TargetBucket: l.TargetBucket, TargetPrefix: l.TargetPrefix}
	}
	s := c.s3
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.buckets[b.Name]; ok {
		return fmt.Errorf("bucket %s already exists in account %s", b.Name, old.owner)
	}
	s.buckets[b.Name] = nb
	return nil
}

// createBucketConfiguration is CreateBucket's optional body.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// createBucket answers BucketAlreadyOwnedByYou whenever the caller's
// account already owns the name. Real S3 in us-east-1 answers 200 instead,
// for compatibility with its oldest clients; rectify never relies on that.
func (s *s3Service) createBucket(c *call, t s3Target) *APIError {
	var cfg createBucketConfiguration
	if len(bytes.TrimSpace(c.body)) > 0 {
		body, err := parseS3XML(c.body, &cfg)
		if err != nil {
			return err
		}
		s.record(c, t, body)
	}
	if err := validBucketName(t.bucket); err != nil {
		return err
	}
	region, err := bucketRegion(c.region, cfg.LocationConstraint)
	if err != nil {
		return err
	}
	grants, err := s.headerGrants(c.r, c.account())
	if err != nil {
		return err
	}
	if grants == nil {
		grants = cannedGrants("private", c.account())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.buckets[t.bucket]; ok {
		if b.owner == c.account() {
			return s3Error(http.StatusConflict, "BucketAlreadyOwnedByYou",
				"Your previous request to create the named bucket succeeded and you already own it.")
		}
		return s3Error(http.StatusConflict, "BucketAlreadyExists",
			"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	}
	s.buckets[t.bucket] = &bucket{name: t.bucket, owner: c.account(), region: region, created: c.time, grants: grants}
	c.RecordResponse(nil)
	c.w.Header().Set("Location", "/"+t.bucket)
	c.writeEmpty(http.StatusOK)
	return nil
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// bucketRegion is where CreateBucket puts a bucket: the LocationConstraint,
// or us-east-1 without one. Like S3, a regional endpoint other than
// us-east-1 only creates buckets in its own region, and "us-east-1" is not
// a valid constraint (it is expressed by leaving it out).
func bucketRegion(endpoint, constraint string) (string, *APIError) {
	if constraint == "EU" {
		constraint = "eu-west-1"
	}
	switch {
	case constraint == "" && endpoint == DefaultRegion:
		return DefaultRegion, nil
	case constraint == "":
		return "", s3Error(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint == DefaultRegion || !regionName.MatchString(constraint):
		return "", s3Error(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
	case endpoint != DefaultRegion && constraint != endpoint:
		return "", s3Error(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	return constraint, nil
}

// validBucketName applies S3's general purpose bucket naming rules.
func validBucketName(name string) *APIError {
	invalid := s3Error(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
	if len(name) < 3 || len(name) > 63 {
		return invalid
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			return invalid
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' ||
		strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return invalid
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return invalid
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return invalid
		}
	}
	return nil
}

func (s *s3Service) deleteBucket(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.ownedBucket(c, t.bucket); err != nil {
		return err
	}
	delete(s.buckets, t.bucket)
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// headBucket sends x-amz-bucket-region on 403 and 301 too, as S3 does,
// which is how clients find a bucket's region before they may read it.
func (s *s3Service) headBucket(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[t.bucket]
	if !ok {
		return s3NoSuchBucket()
	}
	c.w.Header().Set("x-amz-bucket-region", b.region)
	if _, err := s.ownedBucket(c, t.bucket); err != nil {
		return err
	}
	c.w.Header().Set("x-amz-access-point-alias", "false")
	c.writeEmpty(http.StatusOK)
	return nil
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

// getBucketLocation answers an empty constraint for us-east-1, S3's
// historical encoding of that region. It answers from any region: finding
// the region is what it is for.
func (s *s3Service) getBucketLocation(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, ok := s.buckets[t.bucket]
	var region, owner string
	if ok {
		region, owner = b.region, b.owner
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return s3NoSuchBucket()
	case owner != c.account():
		return s3AccessDenied()
	}
	if region == DefaultRegion {
		region = ""
	}
	c.writeXML(http.StatusOK, locationConstraint{Region: region})
	return nil
}

type listAllMyBucketsResult struct {
	XMLName           xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner             s3Owner         `xml:"Owner"`
	Buckets           []s3BucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string          `xml:"ContinuationToken,omitempty"`
	Prefix            string          `xml:"Prefix,omitempty"`
}

type s3BucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// listBuckets lists the caller's account's buckets by name, with the
// prefix, bucket-region, max-buckets and continuation-token parameters
// S3 added in 2024. The continuation token is the last name returned.
func (s *s3Service) listBuckets(c *call, _ s3Target) *APIError {
	q := c.r.URL.Query()
	limit := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3Error(http.StatusBadRequest, "InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000")
		}
		limit = n
	}
	after := ""
	if v := q.Get("continuation-token"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			return s3Error(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	prefix, region := q.Get("prefix"), q.Get("bucket-region")

	s.mu.Lock()
	var names []string
	for name, b := range s.buckets {
		if b.owner == c.account() && strings.HasPrefix(name, prefix) && (region == "" || b.region == region) && name > after {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := listAllMyBucketsResult{Owner: s3Owner{ID: canonicalUserID(c.account())}, Prefix: prefix}
	for i, name := range names {
		if i == limit {
			out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(names[i-1]))
			break
		}
		b := s.buckets[name]
		out.Buckets = append(out.Buckets, s3BucketEntry{Name: name, CreationDate: b.created.UTC().Format("2006-01-02T15:04:05.000Z"), BucketRegion: b.region})
	}
	s.mu.Unlock()
	c.writeXML(http.StatusOK, out)
	return nil
}
