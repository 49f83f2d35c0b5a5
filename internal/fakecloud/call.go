package fakecloud

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody bounds a request body; the largest real payload rectify sends
// (100 ASFF findings) is well under it.
const maxBody = 16 << 20

// APIError is an AWS error as a service reports it. Code is the error code
// the SDK surfaces through smithy.APIError.ErrorCode.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an APIError with HTTP status 400.
func errorf(code, format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// service is one AWS service of the fake cloud.
type service interface {
	// eventSource is the CloudTrail eventSource, e.g. "ec2.amazonaws.com".
	eventSource() string
	// actions names every operation the service serves: its handler table,
	// so what a fault may name cannot drift from what is served.
	actions() []string
	// route names the operation a request asks for, e.g. "DescribeSecurityGroups".
	route(r *http.Request, body []byte) (action string, err *APIError)
	// handle runs the operation for c.principal. On success it has written the
	// response; on failure it returns the error and writes nothing.
	handle(c *call) *APIError
	// writeError writes err in the service's wire format.
	writeError(c *call, err *APIError)
	// authError is the error for an unknown or missing access key.
	authError(key string) *APIError
	// deniedError is the error for a principal denied the action.
	deniedError(c *call) *APIError
}

// call is one API request in flight.
type call struct {
	cloud     *Cloud
	w         http.ResponseWriter
	r         *http.Request
	body      []byte
	service   string // SigV4 signing name: ec2, s3, sqs, sts, securityhub
	action    string
	region    string
	principal *Principal
	requestID string
	time      time.Time

	// record is set by handlers of mutating calls; the call is then written
	// to CloudTrail, with the error code when the call fails.
	record *trailRecord
	status int
}

// Account is the account the call acts in: the caller's.
func (c *call) account() string { return c.principal.Account }

// Record marks the call as a mutating API call and sets requestParameters
// exactly as CloudTrail serializes them for this event. Handlers call it as
// soon as the input is parsed, so failed calls are recorded too.
func (c *call) Record(requestParameters any) {
	c.record = &trailRecord{RequestParameters: requestParameters}
}

// RecordResponse sets responseElements for a successful mutating call.
func (c *call) RecordResponse(responseElements any) {
	if c.record == nil {
		c.record = &trailRecord{}
	}
	c.record.ResponseElements = responseElements
}

// RecordResources lists the ARNs EventBridge puts in the envelope's resources.
func (c *call) RecordResources(arns ...string) {
	if c.record == nil {
		c.record = &trailRecord{}
	}
	c.record.Resources = append(c.record.Resources, arns...)
}

// writeXML writes v as an XML document with the given status.
func (c *call) writeXML(status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		c.cloud.log.Error("encode xml", "action", c.action, "err", err)
		status = http.StatusInternalServerError
	}
	c.w.Header().Set("Content-Type", "text/xml")
	c.w.Header().Set("x-amz-request-id", c.requestID)
	c.w.Header().Set("x-amzn-RequestId", c.requestID)
	c.status = status
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

// writeJSON writes v as JSON with the given status and content type.
func (c *call) writeJSON(status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.cloud.log.Error("encode json", "action", c.action, "err", err)
		status = http.StatusInternalServerError
	}
	c.w.Header().Set("Content-Type", contentType)
	c.w.Header().Set("x-amzn-RequestId", c.requestID)
	c.status = status
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

// writeEmpty writes a response with no body, as S3 does for many PUTs.
func (c *call) writeEmpty(status int) {
	c.w.Header().Set("x-amz-request-id", c.requestID)
	c.status = status
	c.w.WriteHeader(status)
}

// ServeHTTP routes a request to its service by the SigV4 credential scope,
// which names the service and region whatever the endpoint URL is.
func (cl *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	key, svcName, region := credentialScope(r)
	if svcName == "" {
		http.Error(w, "fakecloud: request is not SigV4 signed (no credential scope); point an AWS SDK at this endpoint", http.StatusForbidden)
		return
	}
	svc, ok := cl.services[svcName]
	if !ok {
		http.Error(w, fmt.Sprintf("fakecloud: service %q is not emulated", svcName), http.StatusNotImplemented)
		return
	}
	if region == "" {
		region = DefaultRegion
	}
	c := &call{
		cloud: cl, w: w, r: r, body: body,
		service: svcName, region: region,
		requestID: newUUID(), time: cl.now().UTC(),
	}
	defer func() {
		cl.log.Debug("fakecloud request", "service", c.service, "action", c.action, "status", c.status, "principal", principalARN(c.principal))
	}()

	action, aerr := svc.route(r, body)
	c.action = action
	if aerr != nil {
		c.fail(svc, aerr)
		return
	}
	p, ok := cl.ids.lookup(key, c.time)
	if ok && p.SessionToken != "" && sessionToken(r) != p.SessionToken {
		// A temporary key is only valid with the token it was issued with.
		ok = false
	}
	if !ok {
		c.fail(svc, svc.authError(key))
		return
	}
	c.principal = p
	// IAM records a user key's last use on every request it authenticates,
	// allowed or not; a session of an assumed role has no access key to
	// record it on.
	cl.ids.markUsed(p, c.time, c.service, c.region)
	if p.denies(c.service + ":" + action) {
		c.failBeforeHandle(svc, svc.deniedError(c))
		return
	}
	if f := cl.faults.match(c.service, action); f != nil {
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if f.Code != "" {
			c.failBeforeHandle(svc, f.apiError())
			return
		}
	}
	if herr := svc.handle(c); herr != nil {
		c.fail(svc, herr)
		cl.trail.emit(c, svc, herr)
		return
	}
	cl.trail.emit(c, svc, nil)
}

// failBeforeHandle fails a call the handler never saw (denied, or an
// injected fault). CloudTrail still logs a failed mutating call, without
// the request parameters the handler would have parsed.
func (c *call) failBeforeHandle(svc service, err *APIError) {
	// SQS message calls are data events, which CloudTrail does not log by
	// default (and logging them would feed the event queue to itself).
	if !readOnlyAction(c.action) && (c.service != "sqs" || sqsManagementEvents[c.action]) {
		c.record = &trailRecord{}
	}
	c.fail(svc, err)
	c.cloud.trail.emit(c, svc, err)
}

// readOnlyAction reports whether CloudTrail marks the action readOnly.
func readOnlyAction(action string) bool {
	for _, p := range []string{"Describe", "Get", "List", "Head", "Receive", "Lookup"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

func (c *call) fail(svc service, err *APIError) {
	if err.Status == 0 {
		err.Status = http.StatusBadRequest
	}
	c.status = err.Status
	svc.writeError(c, err)
}

func principalARN(p *Principal) string {
	if p == nil {
		return ""
	}
	return p.ARN
}

// credentialScope reads "AKID/20260101/us-east-1/ec2/aws4_request" from the
// Authorization header or from a presigned URL's X-Amz-Credential.
func credentialScope(r *http.Request) (key, service, region string) {
	scope := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, rest, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "", "", ""
		}
		scope, _, _ = strings.Cut(rest, ",")
	}
	parts := strings.Split(strings.TrimSpace(scope), "/")
	if len(parts) != 5 {
		return "", "", ""
	}
	return parts[0], parts[3], parts[2]
}

// sessionToken is the STS session token a request was signed with.
func sessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
}
