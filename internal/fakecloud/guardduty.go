package fakecloud

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// GuardDuty speaks REST-JSON: the operation is the method and path
// (/detector, /detector/{detectorId}), JSON bodies with camelCase members,
// errors named in X-Amzn-ErrorType and again in the body as __type, with
// the text under message. Timestamps are ISO 8601 strings.
const gdContentType = "application/json"

// gdDetectorID is the model's constraint on a detector id (AWS makes
// them 32 lowercase hex digits, as the fake does).
var gdDetectorID = regexp.MustCompile(`^[a-z0-9]{1,300}$`)

// guardDutyService emulates the slice of GuardDuty rectify reads and
// remediates: at most one detector per account and region, with its status
// and publishing frequency. It analyses nothing and makes no findings; the
// features and data sources a detector reports are not modeled, and
// neither is the service-linked role CreateDetector makes in AWS.
type guardDutyService struct {
	cloud *Cloud

	mu        sync.Mutex
	detectors map[ec2Key]*gdDetector // by account and region
}

type gdDetector struct {
	account, region, id string
	enabled             bool
	frequency           string
	clientToken         string
	created, updated    time.Time
	tags                map[string]string
}

func (d *gdDetector) arn() string {
	return fmt.Sprintf("arn:aws:guardduty:%s:%s:detector/%s", d.region, d.account, d.id)
}

func (d *gdDetector) status() string {
	if d.enabled {
		return "ENABLED"
	}
	return "DISABLED"
}

func newGuardDutyService(c *Cloud) *guardDutyService {
	return &guardDutyService{cloud: c, detectors: map[ec2Key]*gdDetector{}}
}

func (s *guardDutyService) eventSource() string { return "guardduty.amazonaws.com" }

func (s *guardDutyService) actions() []string { return slices.Sorted(maps.Keys(gdHandlers)) }

var gdHandlers = map[string]func(*guardDutyService, *call) *APIError{
	"CreateDetector": (*guardDutyService).createDetector,
	"ListDetectors":  (*guardDutyService).listDetectors,
	"GetDetector":    (*guardDutyService).getDetector,
	"UpdateDetector": (*guardDutyService).updateDetector,
	"DeleteDetector": (*guardDutyService).deleteDetector,
}

// route maps the REST binding of the GuardDuty model to the operation.
func (s *guardDutyService) route(r *http.Request, _ []byte) (string, *APIError) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/detector" && r.Method == http.MethodPost:
		return "CreateDetector", nil
	case path == "/detector" && r.Method == http.MethodGet:
		return "ListDetectors", nil
	case strings.HasPrefix(path, "/detector/") && !strings.Contains(strings.TrimPrefix(path, "/detector/"), "/"):
		switch r.Method {
		case http.MethodGet:
			return "GetDetector", nil
		case http.MethodPost:
			return "UpdateDetector", nil
		case http.MethodDelete:
			return "DeleteDetector", nil
		}
	}
	return "", &APIError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: fmt.Sprintf(
		"fakecloud does not emulate GuardDuty %s %s (only Create/List/Get/Update/DeleteDetector)", r.Method, r.URL.Path)}
}

func (s *guardDutyService) handle(c *call) *APIError { return gdHandlers[c.action](s, c) }

// writeError writes the REST-JSON error: the code in X-Amzn-ErrorType,
// which the SDK reads first, and again in the body as GuardDuty does.
func (s *guardDutyService) writeError(c *call, err *APIError) {
	c.w.Header().Set("X-Amzn-ErrorType", err.Code)
	c.writeJSON(err.Status, gdContentType, map[string]string{"__type": err.Code, "message": err.Message})
}

func (s *guardDutyService) authError(key string) *APIError {
	if sessionExpired(s.cloud, key) {
		return &APIError{Status: http.StatusForbidden, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	}
	return &APIError{Status: http.StatusForbidden, Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
}

func (s *guardDutyService) deniedError(c *call) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "AccessDeniedException", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: guardduty:%s on resource: arn:aws:guardduty:%s:%s:detector/* because no identity-based policy allows the guardduty:%s action",
		c.principal.ARN, c.action, c.region, c.account(), c.action)}
}

func (s *guardDutyService) reply(c *call, v any) { c.writeJSON(http.StatusOK, gdContentType, v) }

func gdBadRequest(format string, args ...any) *APIError {
	return errorf("BadRequestException", format, args...)
}

// gdPathID is the {detectorId} of the path.
func gdPathID(c *call) string {
	return strings.TrimPrefix(strings.TrimSuffix(c.r.URL.Path, "/"), "/detector/")
}

// gdFrequencies are the values of findingPublishingFrequency.
var gdFrequencies = []string{"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"}

// owned finds the caller's detector by id in the call's region. GuardDuty
// answers an id it does not know, or one of another account, with the
// same BadRequestException. Callers hold s.mu.
func (s *guardDutyService) owned(c *call, id string) (*gdDetector, *APIError) {
	d := s.detectors[ec2Key{c.account(), c.region}]
	if d == nil || d.id != id || !gdDetectorID.MatchString(id) {
		return nil, gdBadRequest("The request is rejected because the input detectorId is not owned by the current account.")
	}
	return d, nil
}

func (s *guardDutyService) create(account, region string, enabled bool, frequency, token string, tags map[string]string) (*gdDetector, bool, *APIError) {
	switch {
	case frequency == "":
		frequency = "SIX_HOURS"
	case !slices.Contains(gdFrequencies, frequency):
		return nil, false, gdBadRequest("The request is rejected because an invalid or out-of-range value is specified as an input parameter: findingPublishingFrequency %q", frequency)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ec2Key{account, region}
	if d := s.detectors[k]; d != nil {
		// A retry of the same request (the SDK fills clientToken) gets
		// the detector it made.
		if token != "" && d.clientToken == token {
			return d, false, nil
		}
		return nil, false, gdBadRequest("The request is rejected because a detector already exists for the current account.")
	}
	now := s.cloud.now()
	d := &gdDetector{account: account, region: region, id: newID("", 32), enabled: enabled, frequency: frequency, clientToken: token,
		created: now, updated: now, tags: maps.Clone(tags)}
	if d.tags == nil {
		d.tags = map[string]string{}
	}
	s.detectors[k] = d
	return d, true, nil
}

func (s *guardDutyService) createDetector(c *call) *APIError {
	var in struct {
		Enable                     *bool             `json:"enable"`
		ClientToken                string            `json:"clientToken"`
		FindingPublishingFrequency string            `json:"findingPublishingFrequency"`
		Tags                       map[string]string `json:"tags"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return gdBadRequest("The request is rejected because the JSON could not be processed: %s", err.Message)
	}
	params := map[string]any{}
	if in.Enable != nil {
		params["enable"] = *in.Enable
	}
	if in.ClientToken != "" {
		params["clientToken"] = in.ClientToken
	}
	if in.FindingPublishingFrequency != "" {
		params["findingPublishingFrequency"] = in.FindingPublishingFrequency
	}
	if len(in.Tags) > 0 {
		params["tags"] = in.Tags
	}
	c.Record(params)
	if in.Enable == nil {
		return gdBadRequest("The request is rejected because the required parameter enable is missing.")
	}
	d, _, err := s.create(c.account(), c.region, *in.Enable, in.FindingPublishingFrequency, in.ClientToken, in.Tags)
	if err != nil {
		return err
	}
	resp := map[string]any{"detectorId": d.id}
	c.RecordResponse(resp)
	c.RecordResources(d.arn())
	s.reply(c, resp)
	return nil
}

// listDetectors lists the region's detector: one at most, so one page.
func (s *guardDutyService) listDetectors(c *call) *APIError {
	if raw := c.r.URL.Query().Get("maxResults"); raw != "" {
		if n, err := strconv.Atoi(raw); err != nil || n < 1 || n > 50 {
			return gdBadRequest("The request is rejected because an invalid or out-of-range value is specified as an input parameter: maxResults %q", raw)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := []string{}
	if d := s.detectors[ec2Key{c.account(), c.region}]; d != nil {
		ids = append(ids, d.id)
	}
	s.reply(c, map[string]any{"detectorIds": ids})
	return nil
}

func (s *guardDutyService) getDetector(c *call) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.owned(c, gdPathID(c))
	if err != nil {
		return err
	}
	s.reply(c, map[string]any{
		"createdAt":                  d.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		"updatedAt":                  d.updated.UTC().Format("2006-01-02T15:04:05.000Z"),
		"findingPublishingFrequency": d.frequency,
		"serviceRole":                "arn:aws:iam::" + d.account + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
		"status":                     d.status(),
		"tags":                       d.tags,
	})
	return nil
}

func (s *guardDutyService) updateDetector(c *call) *APIError {
	var in struct {
		Enable                     *bool  `json:"enable"`
		FindingPublishingFrequency string `json:"findingPublishingFrequency"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return gdBadRequest("The request is rejected because the JSON could not be processed: %s", err.Message)
	}
	id := gdPathID(c)
	params := map[string]any{"detectorId": id}
	if in.Enable != nil {
		params["enable"] = *in.Enable
	}
	if in.FindingPublishingFrequency != "" {
		params["findingPublishingFrequency"] = in.FindingPublishingFrequency
	}
	c.Record(params)
	if in.FindingPublishingFrequency != "" && !slices.Contains(gdFrequencies, in.FindingPublishingFrequency) {
		return gdBadRequest("The request is rejected because an invalid or out-of-range value is specified as an input parameter: findingPublishingFrequency %q", in.FindingPublishingFrequency)
	}
	s.mu.Lock()
	d, err := s.owned(c, id)
	if err == nil {
		if in.Enable != nil {
			d.enabled = *in.Enable
		}
		if in.FindingPublishingFrequency != "" {
			d.frequency = in.FindingPublishingFrequency
		}
		d.updated = s.cloud.now()
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResources(d.arn())
	s.reply(c, map[string]any{})
	return nil
}

func (s *guardDutyService) deleteDetector(c *call) *APIError {
	id := gdPathID(c)
	c.Record(map[string]any{"detectorId": id})
	s.mu.Lock()
	d, err := s.owned(c, id)
	if err == nil {
		delete(s.detectors, ec2Key{c.account(), c.region})
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResources(d.arn())
	s.reply(c, map[string]any{})
	return nil
}

// DetectorSeed is a GuardDuty detector in one region.
type DetectorSeed struct {
	Region  string `yaml:"region"`
	Enabled bool   `yaml:"enabled"`
}

// SeedDetector creates a detector without a CloudTrail event and returns
// its id.
func (c *Cloud) SeedDetector(account string, seed DetectorSeed) (string, error) {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	d, _, err := c.guardduty.create(account, seed.Region, seed.Enabled, "", "", nil)
	if err != nil {
		return "", fmt.Errorf("guardduty detector in %s: %w", seed.Region, err)
	}
	return d.id, nil
}

// GuardDutyDetector reports the region's detector, for tests: its id and
// whether it is enabled; id is empty when the region has none.
func (c *Cloud) GuardDutyDetector(account, region string) (id string, enabled bool) {
	s := c.guardduty
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.detectors[ec2Key{account, region}]
	if d == nil {
		return "", false
	}
	return d.id, d.enabled
}
