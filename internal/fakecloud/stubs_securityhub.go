package fakecloud

import "net/http"

// securityHubService: placeholder until the emulation lands.
type securityHubService struct{ cloud *Cloud }

func newSecurityHubService(c *Cloud) *securityHubService { return &securityHubService{cloud: c} }

func (s *securityHubService) eventSource() string { return "securityhub.amazonaws.com" }
func (s *securityHubService) route(r *http.Request, body []byte) (string, *APIError) {
	return "", errorf("InvalidAction", "not built yet")
}
func (s *securityHubService) handle(c *call) *APIError {
	return errorf("InvalidAction", "not built yet")
}
func (s *securityHubService) writeError(c *call, err *APIError) {
	http.Error(c.w, err.Error(), err.Status)
}
func (s *securityHubService) authError(key string) *APIError {
	return errorf("InvalidClientTokenId", "unknown key")
}
func (s *securityHubService) deniedError(c *call) *APIError { return errorf("AccessDenied", "denied") }
