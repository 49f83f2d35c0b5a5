package fakecloud

import "net/http"

// sqsService: placeholder until the emulation lands.
type sqsService struct{ cloud *Cloud }

func (s *sqsService) deliver(queueURL, body string) error {
	return errorf("InvalidAction", "not built yet")
}
func (s *sqsService) close() {}

// CreateQueue creates a queue without emitting events and returns its URL.
func (c *Cloud) CreateQueue(q QueueSeed) (string, error) {
	return "", errorf("InvalidAction", "not built yet")
}

func newSQSService(c *Cloud) *sqsService { return &sqsService{cloud: c} }

func (s *sqsService) eventSource() string { return "sqs.amazonaws.com" }
func (s *sqsService) route(r *http.Request, body []byte) (string, *APIError) {
	return "", errorf("InvalidAction", "not built yet")
}
func (s *sqsService) handle(c *call) *APIError          { return errorf("InvalidAction", "not built yet") }
func (s *sqsService) writeError(c *call, err *APIError) { http.Error(c.w, err.Error(), err.Status) }
func (s *sqsService) authError(key string) *APIError {
	return errorf("InvalidClientTokenId", "unknown key")
}
func (s *sqsService) deniedError(c *call) *APIError { return errorf("AccessDenied", "denied") }
