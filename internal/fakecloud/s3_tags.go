package fakecloud

import (
	"encoding/xml"
	"net/http"
	"strings"
	"unicode/utf8"
)

type s3Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type s3Tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  []s3Tag  `xml:"TagSet>Tag"`
}

type s3TaggingOut struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  []s3Tag  `xml:"TagSet>Tag"`
}

func noSuchTagSet() *APIError {
	return s3Error(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
}

// validS3TagSet applies S3's bucket tag limits.
func validS3TagSet(tags []s3Tag) *APIError {
	if len(tags) > 50 {
		return s3Error(http.StatusBadRequest, "InvalidTag", "Bucket tag count cannot be greater than 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > 128:
			return s3Error(http.StatusBadRequest, "InvalidTag", "The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > 256:
			return s3Error(http.StatusBadRequest, "InvalidTag", "The TagValue you have provided is invalid")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return s3Error(http.StatusBadRequest, "InvalidTag", "Your TagKey cannot be prefixed with aws:")
		case seen[t.Key]:
			return s3Error(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

// putBucketTagging replaces the whole tag set, as S3 does; an empty set
// leaves the bucket with none.
func (s *s3Service) putBucketTagging(c *call, t s3Target) *APIError {
	var in s3Tagging
	body, err := parseS3XML(c.body, &in)
	if err != nil {
		return err
	}
	s.record(c, t, body)
	if err := validS3TagSet(in.TagSet); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.tags = in.TagSet
	if len(b.tags) == 0 {
		b.tags = nil
	}
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}

func (s *s3Service) getBucketTagging(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var out *s3TaggingOut
	if err == nil && b.tags != nil {
		out = &s3TaggingOut{TagSet: append([]s3Tag(nil), b.tags...)}
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return err
	case out == nil:
		return noSuchTagSet()
	}
	c.writeXML(http.StatusOK, out)
	return nil
}

func (s *s3Service) deleteBucketTagging(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.tags = nil
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}
