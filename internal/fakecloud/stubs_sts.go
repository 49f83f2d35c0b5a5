package fakecloud

import "net/http"

// stsService: placeholder until the emulation lands.
type stsService struct{ cloud *Cloud }

func newSTSService(c *Cloud) *stsService { return &stsService{cloud: c} }

func (s *stsService) eventSource() string { return "sts.amazonaws.com" }
func (s *stsService) route(r *http.Request, body []byte) (string, *APIError) {
	return "", errorf("InvalidAction", "not built yet")
}
func (s *stsService) handle(c *call) *APIError          { return errorf("InvalidAction", "not built yet") }
func (s *stsService) writeError(c *call, err *APIError) { http.Error(c.w, err.Error(), err.Status) }
func (s *stsService) authError(key string) *APIError {
	return errorf("InvalidClientTokenId", "unknown key")
}
func (s *stsService) deniedError(c *call) *APIError { return errorf("AccessDenied", "denied") }
