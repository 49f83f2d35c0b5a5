package fakecloud

import (
	"encoding/xml"
	"net/http"
)

// publicAccessBlock is a bucket's Block Public Access configuration. In a
// PUT body an element left out means false, as in S3.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// publicAccessBlockOut is the GET document, which carries the namespace.
type publicAccessBlockOut struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

func noSuchPublicAccessBlock() *APIError {
	return s3Error(http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
}

// putPublicAccessBlock replaces the whole configuration. It does not
// change a policy or ACL already in place: like S3, the block only refuses
// new public grants and (with Ignore/Restrict) changes how existing ones
// are enforced, which the fake does not model.
func (s *s3Service) putPublicAccessBlock(c *call, t s3Target) *APIError {
	var cfg publicAccessBlock
	body, err := parseS3XML(c.body, &cfg)
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
	b.pab = &cfg
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusOK)
	return nil
}

func (s *s3Service) getPublicAccessBlock(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var out *publicAccessBlockOut
	if err == nil && b.pab != nil {
		p := b.pab
		out = &publicAccessBlockOut{
			BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
			BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets,
		}
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return err
	case out == nil:
		return noSuchPublicAccessBlock()
	}
	c.writeXML(http.StatusOK, out)
	return nil
}

// deletePublicAccessBlock succeeds on a bucket without a block, as S3 does.
func (s *s3Service) deletePublicAccessBlock(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.pab = nil
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}
