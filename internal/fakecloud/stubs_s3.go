package fakecloud

import "net/http"

// s3Service: placeholder until the emulation lands.
type s3Service struct{ cloud *Cloud }

// SeedBucket creates a bucket without emitting events.
func (c *Cloud) SeedBucket(account string, b BucketSeed) error {
	return errorf("InvalidAction", "not built yet")
}

func newS3Service(c *Cloud) *s3Service { return &s3Service{cloud: c} }

func (s *s3Service) eventSource() string { return "s3.amazonaws.com" }
func (s *s3Service) route(r *http.Request, body []byte) (string, *APIError) {
	return "", errorf("InvalidAction", "not built yet")
}
func (s *s3Service) handle(c *call) *APIError          { return errorf("InvalidAction", "not built yet") }
func (s *s3Service) writeError(c *call, err *APIError) { http.Error(c.w, err.Error(), err.Status) }
func (s *s3Service) authError(key string) *APIError {
	return errorf("InvalidClientTokenId", "unknown key")
}
func (s *s3Service) deniedError(c *call) *APIError { return errorf("AccessDenied", "denied") }
