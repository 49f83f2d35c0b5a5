package fakecloud

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AWS Config speaks awsJson1_1: POST / with X-Amz-Target
// "StarlingDoveService.<Operation>" (the service's internal name).
const (
	configContentType  = "application/x-amz-json-1.1"
	configTargetPrefix = "StarlingDoveService."
)

// The resource types the fake's Config recorder records, as Config names
// them. Everything else is never discovered.
const (
	configTypeSecurityGroup = "AWS::EC2::SecurityGroup"
	configTypeBucket        = "AWS::S3::Bucket"
)

// Configuration item statuses (configurationItemStatus).
const (
	configStatusOK         = "OK"
	configStatusDiscovered = "ResourceDiscovered"
	configStatusDeleted    = "ResourceDeleted"
)

// configMaxHistory bounds the items kept per resource; the oldest go
// first, as Config's retention period drops them.
const configMaxHistory = 1000

// configService is AWS Config's recorder and history over awsJson1_1:
// GetResourceConfigHistory for security groups and buckets.
//
// There is no recorder to configure: every account records every
// security group and bucket. An item is recorded from the live state of
// the other services whenever the state may have changed (a successful
// mutating call, seen through the CloudTrail tap), and whenever the history
// or a notification is asked for; a new item is appended only when the
// state differs from the last item. So seeded resources count as
// discovered from the start, and a resource deleted through the API leaves
// a ResourceDeleted item. The item shapes are in config_items.go.
//
// The history calls are read-only; the recorder and delivery channel calls
// (config_recorder.go) write CloudTrail as AWS does.
type configService struct {
	cloud *Cloud

	// mu guards history and lastStateID. A recording reads live state while
	// holding mu, so that items are appended in the order the states were
	// read. Lock order: mu, then ec2Service.mu or s3Service.mu, never the
	// reverse (nothing in EC2 or S3 calls into Config).
	mu          sync.Mutex
	history     map[configKey][]*configRecord
	lastStateID int64
	// recorders are each region's recorder and delivery channel
	// (config_recorder.go); guarded by mu.
	recorders map[ec2Key]*cfgRegionState
}

// configKey names one recorded resource. Config is regional, so a bucket
// is recorded in its own region only.
type configKey struct {
	account, region, resourceType, resourceID string
}

func newConfigService(c *Cloud) *configService {
	s := &configService{cloud: c, history: map[configKey][]*configRecord{}, recorders: map[ec2Key]*cfgRegionState{}}
	c.OnEvent(s.recordEvent)
	return s
}

func (s *configService) eventSource() string { return "config.amazonaws.com" }

func (s *configService) actions() []string { return slices.Sorted(maps.Keys(configHandlers)) }

var configHandlers = map[string]func(*configService, *call) *APIError{
	"GetResourceConfigHistory": (*configService).getResourceConfigHistory,
	// config_recorder.go
	"DescribeConfigurationRecorders":      (*configService).describeConfigurationRecorders,
	"DescribeConfigurationRecorderStatus": (*configService).describeConfigurationRecorderStatus,
	"PutConfigurationRecorder":            (*configService).putConfigurationRecorder,
	"StartConfigurationRecorder":          (*configService).startConfigurationRecorder,
	"StopConfigurationRecorder":           (*configService).stopConfigurationRecorder,
	"DeleteConfigurationRecorder":         (*configService).deleteConfigurationRecorder,
	"DescribeDeliveryChannels":            (*configService).describeDeliveryChannels,
	"PutDeliveryChannel":                  (*configService).putDeliveryChannel,
	"DeleteDeliveryChannel":               (*configService).deleteDeliveryChannel,
}

func (s *configService) route(r *http.Request, _ []byte) (string, *APIError) {
	op, err := jsonTarget(r, configTargetPrefix, "AWS Config")
	if err != nil {
		return "", err
	}
	if _, ok := configHandlers[op]; !ok {
		return op, errorf("UnknownOperationException", "fakecloud does not emulate AWS Config %s (only GetResourceConfigHistory and the recorder and delivery channel calls)", op)
	}
	return op, nil
}

func (s *configService) handle(c *call) *APIError {
	return configHandlers[c.action](s, c)
}

// writeError writes the awsJson error document; the SDK reads the shape
// name from __type.
func (s *configService) writeError(c *call, err *APIError) {
	writeJSONError(c, configContentType, err)
}

func (s *configService) authError(key string) *APIError { return jsonAuthError(s.cloud, key) }

func (s *configService) deniedError(c *call) *APIError {
	return errorf("AccessDeniedException", "User: %s is not authorized to perform: config:%s on resource: *", c.principal.ARN, c.action)
}

// configResourceTypeForm is what Config's ResourceType enumeration values
// look like; a value of that form the fake does not record is simply
// never discovered, as with a recorder that leaves the type out.
var configResourceTypeForm = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)

// canonicalConfigType returns the recorded type resourceType names,
// matched case-insensitively (old notifications spell AWS::EC2::VOLUME).
func canonicalConfigType(resourceType string) (string, bool) {
	for _, t := range []string{configTypeSecurityGroup, configTypeBucket} {
		if strings.EqualFold(t, resourceType) {
			return t, true
		}
	}
	return "", false
}

func configValidation(format string, args ...any) *APIError {
	return errorf("ValidationException", "1 validation error detected: "+format, args...)
}

func configNotDiscovered(resourceType, resourceID string) *APIError {
	return errorf("ResourceNotDiscoveredException", "Resource %s of resourceType:%s is unknown or has not been discovered", resourceID, resourceType)
}

// configHistoryInput is GetResourceConfigHistory's request. Times are
// epoch seconds, as awsJson1_1 sends timestamps.
type configHistoryInput struct {
	ResourceType       string
	ResourceID         string `json:"resourceId"`
	LaterTime          *json.Number
	EarlierTime        *json.Number
	ChronologicalOrder string
	Limit              *json.Number
	NextToken          string
}

// configHistoryToken is what nextToken encodes: where the next page starts,
// the newest state the first page saw (so items recorded meanwhile do not
// shift the pages), and the resource, so a token is not reused elsewhere.
type configHistoryToken struct {
	Offset   int    `json:"o"`
	MaxState int64  `json:"s"`
	Resource string `json:"r"`
}

func (s *configService) getResourceConfigHistory(c *call) *APIError {
	var in configHistoryInput
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return errorf("SerializationException", "cannot read GetResourceConfigHistory request: %v", err)
	}
	switch {
	case in.ResourceType == "":
		return configValidation("Value null at 'resourceType' failed to satisfy constraint: Member must not be null")
	case !configResourceTypeForm.MatchString(in.ResourceType):
		return configValidation("Value '%s' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [%s, %s, ...]",
			in.ResourceType, configTypeSecurityGroup, configTypeBucket)
	case in.ResourceID == "":
		return configValidation("Value null at 'resourceId' failed to satisfy constraint: Member must not be null")
	case len(in.ResourceID) > 768:
		return configValidation("Value at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to 768")
	}
	order := in.ChronologicalOrder
	if order != "" && order != "Reverse" && order != "Forward" {
		return configValidation("Value '%s' at 'chronologicalOrder' failed to satisfy constraint: Member must satisfy enum value set: [Reverse, Forward]", order)
	}
	limit := 10
	if in.Limit != nil {
		n, err := in.Limit.Int64()
		if err != nil || n < 0 || n > 100 {
			return errorf("InvalidLimitException", "Value '%s' at 'limit' failed to satisfy constraint: Member must have value between 0 and 100", in.Limit)
		}
		if n > 0 {
			limit = int(n)
		}
	}
	later, err := configTime(in.LaterTime, "laterTime")
	if err != nil {
		return err
	}
	earlier, err := configTime(in.EarlierTime, "earlierTime")
	if err != nil {
		return err
	}
	if !later.IsZero() && !earlier.IsZero() && earlier.After(later) {
		return errorf("InvalidTimeRangeException", "The specified time range is not valid. The earlier time (%s) is not chronologically before the later time (%s).",
			earlier.UTC().Format(time.RFC3339), later.UTC().Format(time.RFC3339))
	}

	resourceType, recorded := canonicalConfigType(in.ResourceType)
	if !recorded {
		return configNotDiscovered(in.ResourceType, in.ResourceID)
	}
	key := configKey{account: c.account(), region: c.region, resourceType: resourceType, resourceID: in.ResourceID}
	tokenResource := strings.Join([]string{key.account, key.region, key.resourceType, key.resourceID}, "/")
	tok := configHistoryToken{Resource: tokenResource}
	if in.NextToken != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(in.NextToken)
		if derr != nil || json.Unmarshal(raw, &tok) != nil || tok.Resource != tokenResource || tok.Offset < 0 {
			return errorf("InvalidNextTokenException", "The specified next token is invalid. Specify the nextToken string that was returned in the previous response to get the next page of results.")
		}
	}

	items, err := s.recordedHistory(key, in.NextToken == "")
	if err != nil {
		return err
	}
	if tok.MaxState == 0 && len(items) > 0 {
		tok.MaxState = items[len(items)-1].stateID
	}
	var window []*configRecord
	for _, it := range items {
		if it.stateID > tok.MaxState ||
			(!later.IsZero() && it.captured.After(later)) ||
			(!earlier.IsZero() && it.captured.Before(earlier)) {
			continue
		}
		window = append(window, it)
	}
	if order != "Forward" {
		slices.Reverse(window)
	}
	out := struct {
		ConfigurationItems []configItemJSON `json:"configurationItems"`
		NextToken          string           `json:"nextToken,omitempty"`
	}{ConfigurationItems: []configItemJSON{}}
	start := min(tok.Offset, len(window))
	end := min(start+limit, len(window))
	for _, it := range window[start:end] {
		out.ConfigurationItems = append(out.ConfigurationItems, it.apiJSON())
	}
	if end < len(window) {
		tok.Offset = end
		b, _ := json.Marshal(tok)
		out.NextToken = base64.RawURLEncoding.EncodeToString(b)
	}
	c.writeJSON(http.StatusOK, configContentType, out)
	return nil
}

// configTime reads an epoch-seconds timestamp; nil is the zero time.
func configTime(n *json.Number, field string) (time.Time, *APIError) {
	if n == nil {
		return time.Time{}, nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, errorf("SerializationException", "%s must be a timestamp in epoch seconds, got %s", field, n.String())
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC(), nil
}

// recordedHistory records the live state of the resource and returns its items,
// oldest first. A first page records first; later pages do not, so that
// the items they page through stay put.
func (s *configService) recordedHistory(key configKey, record bool) ([]*configRecord, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if record {
		if _, _, err := s.observeLocked(key, configCause{}); err != nil {
			return nil, err
		}
	}
	items := s.history[key]
	if len(items) == 0 {
		return nil, configNotDiscovered(key.resourceType, key.resourceID)
	}
	return slices.Clone(items), nil
}

// configCause is why the recorder looks at a resource.
type configCause struct {
	// eventID is the CloudTrail event of a successful API call that named
	// the resource; it becomes the item's relatedEvents. A resource named
	// by a successful call existed, so its deletion is recorded even when
	// it was never recorded before. Empty when the history or a
	// notification was asked for.
	eventID string
	// created says the call created the resource (Create*): its first item
	// is ResourceDiscovered rather than OK.
	created bool
}

// observe records the live state of a resource (see observeLocked).
func (s *configService) observe(key configKey, cause configCause) (latest, previous *configRecord, err *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.observeLocked(key, cause)
}

// observeLocked reads the live state of a resource and appends an item when
// it differs from the last one, then returns the last item and the one
// before it (nil for none). The caller holds s.mu.
func (s *configService) observeLocked(key configKey, cause configCause) (latest, previous *configRecord, err *APIError) {
	items := s.history[key]
	var last *configRecord
	if len(items) > 0 {
		last = items[len(items)-1]
	}
	cur, live := s.cloud.configSnapshot(key)
	switch {
	case live && last != nil && !last.deleted() && last.fingerprint == cur.fingerprint:
		return last, configPrevious(items), nil
	case live:
		cur.status = configStatusOK
		if cause.created && (last == nil || last.deleted()) {
			cur.status = configStatusDiscovered
		}
	case last == nil && cause.eventID == "":
		return nil, nil, configNotDiscovered(key.resourceType, key.resourceID)
	case last != nil && last.deleted():
		return last, configPrevious(items), nil
	default:
		cur = deletedRecord(key, last)
	}
	cur.captured = s.cloud.now().UTC()
	cur.stateID = max(cur.captured.UnixMilli(), s.lastStateID+1)
	s.lastStateID = cur.stateID
	if cause.eventID != "" {
		cur.relatedEvents = []string{cause.eventID}
	}
	items = append(items, cur)
	if len(items) > configMaxHistory {
		items = slices.Delete(items, 0, len(items)-configMaxHistory)
	}
	s.history[key] = items
	return cur, configPrevious(items), nil
}

func configPrevious(items []*configRecord) *configRecord {
	if len(items) < 2 {
		return nil
	}
	return items[len(items)-2]
}

// trailDetail is the part of a CloudTrail event the recorder reads.
type trailDetail struct {
	Detail struct {
		EventSource        string
		EventName          string
		EventID            string
		AwsRegion          string
		RecipientAccountID string `json:"recipientAccountId"`
		ErrorCode          string
		RequestParameters  map[string]any
		ResponseElements   map[string]any
	}
}

// recordEvent is the CloudTrail tap: after a successful call that may have
// changed a security group or a bucket, it records the resource's state,
// as Config's recorder does on a change.
func (s *configService) recordEvent(body []byte) {
	var ev trailDetail
	if json.Unmarshal(body, &ev) != nil {
		return
	}
	d := ev.Detail
	if d.ErrorCode != "" || d.RecipientAccountID == "" {
		return
	}
	var keys []configKey
	switch d.EventSource {
	case "ec2.amazonaws.com":
		var ids []string
		for _, m := range []map[string]any{d.RequestParameters, d.ResponseElements} {
			if id, _ := m["groupId"].(string); id != "" {
				ids = append(ids, id)
			}
		}
		if name, _ := d.RequestParameters["groupName"].(string); name != "" && len(ids) == 0 {
			// Named, which EC2 allows in the default VPC only.
			if id := s.cloud.defaultVPCGroupID(d.RecipientAccountID, d.AwsRegion, name); id != "" {
				ids = append(ids, id)
			}
		}
		// CreateTags and DeleteTags name their resources in resourcesSet.
		set, _ := d.RequestParameters["resourcesSet"].(map[string]any)
		list, _ := set["items"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			if id, _ := m["resourceId"].(string); strings.HasPrefix(id, groupIDPrefix) {
				ids = append(ids, id)
			}
		}
		for _, id := range ids {
			keys = append(keys, configKey{d.RecipientAccountID, d.AwsRegion, configTypeSecurityGroup, id})
		}
		if d.EventName == "DeleteSecurityGroup" && len(ids) == 0 {
			// Deleted by name: look at every group recorded there. A group
			// deleted by name before it was ever recorded goes unnoticed;
			// its history then stays "not discovered".
			keys = append(keys, s.recordedKeys(d.RecipientAccountID, d.AwsRegion, configTypeSecurityGroup)...)
		}
	case "s3.amazonaws.com":
		name, _ := d.RequestParameters["bucketName"].(string)
		if name == "" {
			return
		}
		region := d.AwsRegion
		if info, ok := s.cloud.Bucket(name); ok {
			region = info.Region
		}
		keys = append(keys, configKey{d.RecipientAccountID, region, configTypeBucket, name})
	}
	slices.SortFunc(keys, func(a, b configKey) int { return strings.Compare(a.resourceID, b.resourceID) })
	keys = slices.Compact(keys)
	cause := configCause{eventID: d.EventID, created: strings.HasPrefix(d.EventName, "Create") && d.EventName != "CreateTags"}
	for _, k := range keys {
		_, _, _ = s.observe(k, cause)
	}
}

// defaultVPCGroupID finds a group of the default VPC by name, or "".
func (c *Cloud) defaultVPCGroupID(account, region, name string) string {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[ec2Key{account, region}]
	if !ok {
		return ""
	}
	if g := st.groupByName(name, DefaultVPCID); g != nil {
		return g.id
	}
	return ""
}

// recordedKeys lists the resources of a type recorded in an account and
// region whose last item is not a deletion.
func (s *configService) recordedKeys(account, region, resourceType string) []configKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []configKey
	for k, items := range s.history {
		if k.account == account && k.region == region && k.resourceType == resourceType && !items[len(items)-1].deleted() {
			keys = append(keys, k)
		}
	}
	return keys
}

// epochSeconds is a timestamp as awsJson1_1 writes it: seconds since the
// epoch, with milliseconds.
func epochSeconds(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
}
