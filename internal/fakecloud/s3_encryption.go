package fakecloud

import (
	"encoding/xml"
	"net/http"
)

// sseConfiguration is a bucket's default encryption. Reading and writing
// use the same elements; only the root's namespace differs.
type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Rules   []sseRule `xml:"Rule"`
}

type sseRule struct {
	Default          *sseDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool       `xml:"BucketKeyEnabled"`
}

type sseDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type sseConfigurationOut struct {
	XMLName xml.Name  `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
	Rules   []sseRule `xml:"Rule"`
}

// validSSE checks what S3 checks: at least one rule, each with a known
// algorithm, and a KMS key only for the KMS algorithms.
func validSSE(cfg *sseConfiguration) *APIError {
	if len(cfg.Rules) == 0 {
		return s3MalformedXML()
	}
	for _, r := range cfg.Rules {
		if r.Default == nil {
			return s3MalformedXML()
		}
		switch r.Default.SSEAlgorithm {
		case "AES256":
			if r.Default.KMSMasterKeyID != "" {
				return s3Error(http.StatusBadRequest, "InvalidArgument",
					"a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
			}
		case "aws:kms", "aws:kms:dsse":
		default:
			return s3MalformedXML()
		}
	}
	return nil
}

// putBucketEncryption sets the default encryption. The KMS key is not
// looked up: the fake has no KMS.
func (s *s3Service) putBucketEncryption(c *call, t s3Target) *APIError {
	var cfg sseConfiguration
	body, err := parseS3XML(c.body, &cfg)
	if err != nil {
		return err
	}
	s.record(c, t, body)
	if err := validSSE(&cfg); err != nil {
		return err
	}
	for i := range cfg.Rules {
		if cfg.Rules[i].BucketKeyEnabled == nil {
			off := false
			cfg.Rules[i].BucketKeyEnabled = &off
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.encryption = &cfg
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusOK)
	return nil
}

// s3DefaultEncryption is what S3 has applied to every bucket without its
// own configuration since January 2023: SSE-S3, no bucket key.
func s3DefaultEncryption() []sseRule {
	off := false
	return []sseRule{{Default: &sseDefault{SSEAlgorithm: "AES256"}, BucketKeyEnabled: &off}}
}

// getBucketEncryption answers S3's default, SSE-S3, for a bucket that never
// had encryption set or had it deleted, as S3 has since January 2023;
// ServerSideEncryptionConfigurationNotFoundError no longer happens for a
// general purpose bucket.
func (s *s3Service) getBucketEncryption(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var out *sseConfigurationOut
	if err == nil {
		out = &sseConfigurationOut{Rules: s3DefaultEncryption()}
		if b.encryption != nil {
			out.Rules = b.encryption.Rules
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.writeXML(http.StatusOK, out)
	return nil
}

// deleteBucketEncryption puts the bucket back on the default, SSE-S3.
func (s *s3Service) deleteBucketEncryption(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.encryption = nil
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}
