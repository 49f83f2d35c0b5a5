package fakecloud

import (
	"encoding/xml"
	"net/http"
)

// bucketLogging is a bucket's server access logging: where S3 would write
// its access logs. The fake writes none; it keeps the setting.
type bucketLogging struct {
	TargetBucket string `xml:"TargetBucket"`
	TargetPrefix string `xml:"TargetPrefix"`
}

// bucketLoggingStatus is PutBucketLogging's body and GetBucketLogging's
// answer: without LoggingEnabled, logging is off.
type bucketLoggingStatus struct {
	XMLName        xml.Name       `xml:"BucketLoggingStatus"`
	LoggingEnabled *bucketLogging `xml:"LoggingEnabled"`
}

type bucketLoggingStatusOut struct {
	XMLName        xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ BucketLoggingStatus"`
	LoggingEnabled *bucketLogging `xml:"LoggingEnabled,omitempty"`
}

// BucketLoggingSeed is a bucket's server access logging.
type BucketLoggingSeed struct {
	TargetBucket string `yaml:"target_bucket"`
	TargetPrefix string `yaml:"target_prefix"`
}

func (s *s3Service) getBucketLogging(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	out := &bucketLoggingStatusOut{}
	if err == nil && b.logging != nil {
		l := *b.logging
		out.LoggingEnabled = &l
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.writeXML(http.StatusOK, out)
	return nil
}

// putBucketLogging turns logging on (LoggingEnabled) or off (none). S3
// delivers only to a bucket of the same owner in the same region; it
// checks both here, and so does the fake. Whether the target's policy lets
// logging.s3.amazonaws.com write is not checked at this point (with ACLs
// disabled, S3 does not either): delivery, which the fake does not model,
// is what would fail.
func (s *s3Service) putBucketLogging(c *call, t s3Target) *APIError {
	var status bucketLoggingStatus
	body, err := parseS3XML(c.body, &status)
	if err != nil {
		return err
	}
	s.record(c, t, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	if l := status.LoggingEnabled; l != nil {
		target, ok := s.buckets[l.TargetBucket]
		switch {
		case l.TargetBucket == "" || !ok:
			return s3Error(http.StatusBadRequest, "InvalidTargetBucketForLogging", "The target bucket for logging does not exist")
		case target.owner != b.owner:
			return s3Error(http.StatusBadRequest, "InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target bucket must be the same.")
		case target.region != b.region:
			return s3Error(http.StatusBadRequest, "CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ")
		}
		next := *l
		b.logging = &next
	} else {
		b.logging = nil
	}
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusOK)
	return nil
}
