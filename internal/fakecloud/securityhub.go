package fakecloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
)

// securityHubService is Security Hub over REST-JSON: the finding store of
// each account and region (securityhub_findings.go), ASFF validation
// (securityhub_asff.go), GetFindings filters (securityhub_filter.go) and
// the import rate limit (securityhub_limit.go).
type securityHubService struct {
	cloud *Cloud

	mu   sync.Mutex
	hubs map[shHubKey]*shHub
	// limit is the BatchImportFindings quota per account and region;
	// zero rate means unlimited.
	limit shLimit
}

func newSecurityHubService(c *Cloud) *securityHubService {
	return &securityHubService{cloud: c, hubs: map[shHubKey]*shHub{}}
}

func (s *securityHubService) eventSource() string { return "securityhub.amazonaws.com" }

func (s *securityHubService) actions() []string { return slices.Sorted(maps.Keys(shHandlers)) }

// shRoutes maps "METHOD path" to the operation, as the REST bindings of
// the Security Hub model do.
var shRoutes = map[string]string{
	"POST /findings/import":       "BatchImportFindings",
	"POST /findings":              "GetFindings",
	"PATCH /findings/batchupdate": "BatchUpdateFindings",
}

var shHandlers = map[string]func(*securityHubService, *call) *APIError{
	"BatchImportFindings": (*securityHubService).batchImportFindings,
	"GetFindings":         (*securityHubService).getFindings,
	"BatchUpdateFindings": (*securityHubService).batchUpdateFindings,
}

func (s *securityHubService) route(r *http.Request, body []byte) (string, *APIError) {
	if op, ok := shRoutes[r.Method+" "+r.URL.Path]; ok {
		return op, nil
	}
	return "", &APIError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: fmt.Sprintf(
		"fakecloud does not emulate Security Hub %s %s (only BatchImportFindings, GetFindings and BatchUpdateFindings)", r.Method, r.URL.Path)}
}

func (s *securityHubService) handle(c *call) *APIError {
	return shHandlers[c.action](s, c)
}

// writeError writes the REST-JSON error: the code in X-Amzn-ErrorType,
// which the SDK reads first, and again in the body.
func (s *securityHubService) writeError(c *call, err *APIError) {
	c.w.Header().Set("X-Amzn-ErrorType", err.Code)
	c.writeJSON(err.Status, "application/json", map[string]string{"Code": err.Code, "Message": err.Message})
}

func (s *securityHubService) authError(key string) *APIError {
	if sessionExpired(s.cloud, key) {
		return &APIError{Status: http.StatusForbidden, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	}
	return &APIError{Status: http.StatusForbidden, Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
}

func (s *securityHubService) deniedError(c *call) *APIError {
	return shAccessDenied(c, fmt.Sprintf("arn:aws:securityhub:%s:%s:hub/default", c.region, c.account()))
}

func shAccessDenied(c *call, resource string) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "AccessDeniedException", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: securityhub:%s on resource: %s", c.principal.ARN, c.action, resource)}
}

func shInvalidInput(format string, args ...any) *APIError {
	return errorf("InvalidInputException", format, args...)
}

// decode reads the request body. Numbers stay json.Number so that ASFF
// fields round-trip exactly. A body that is not JSON is invalid input.
func (s *securityHubService) decode(c *call, v any) *APIError {
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return shInvalidInput("%s: the request body is not valid JSON for this operation: %v", c.action, err)
	}
	return nil
}

func (s *securityHubService) reply(c *call, v any) {
	c.writeJSON(http.StatusOK, "application/json", v)
}
