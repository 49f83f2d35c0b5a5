package fakecloud

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// SNS speaks the Query protocol: form-encoded Action and Version in, an XML
// <ActionResponse> with <ActionResult> and <ResponseMetadata> out, errors
// as <ErrorResponse><Error>. Maps are numbered entries
// ("Attributes.entry.1.key"), lists numbered members ("Tags.member.1.Key").
const (
	snsVersion   = "2010-03-31"
	snsNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"
	// snsPageSize is ListTopics' fixed page size.
	snsPageSize = 100
)

var snsTopicNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// snsService emulates the slice of SNS rectify reads and remediates:
// standard topics with their attributes (KmsMasterKeyId, DisplayName,
// Policy, kept verbatim) and tags, per account and region, and their
// subscriptions (sns_subscriptions.go). It delivers nothing: no Publish.
type snsService struct {
	cloud *Cloud

	mu     sync.Mutex
	topics map[ec2Key]map[string]*snsTopic // by account and region, then name
}

type snsTopic struct {
	account, region, name string
	attributes            map[string]string // the settable ones
	tags                  map[string]string
	subs                  []*snsSubscription // in the order they were made
}

func (t *snsTopic) arn() string { return snsTopicARN(t.region, t.account, t.name) }

func snsTopicARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, account, name)
}

// snsSettable are the topic attributes CreateTopic and SetTopicAttributes
// accept, kept and echoed as given.
var snsSettable = []string{"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "ArchivePolicy"}

func newSNSService(c *Cloud) *snsService {
	return &snsService{cloud: c, topics: map[ec2Key]map[string]*snsTopic{}}
}

func (s *snsService) eventSource() string { return "sns.amazonaws.com" }

func (s *snsService) actions() []string { return slices.Sorted(maps.Keys(snsHandlers)) }

var snsHandlers = map[string]func(*snsService, *call, ec2Params) *APIError{
	"CreateTopic":         (*snsService).createTopic,
	"DeleteTopic":         (*snsService).deleteTopic,
	"ListTopics":          (*snsService).listTopics,
	"GetTopicAttributes":  (*snsService).getTopicAttributes,
	"SetTopicAttributes":  (*snsService).setTopicAttributes,
	"TagResource":         (*snsService).tagResource,
	"UntagResource":       (*snsService).untagResource,
	"ListTagsForResource": (*snsService).listTagsForResource,
	// sns_subscriptions.go
	"Subscribe":                (*snsService).subscribe,
	"ListSubscriptionsByTopic": (*snsService).listSubscriptionsByTopic,
	"Unsubscribe":              (*snsService).unsubscribe,
}

func (s *snsService) route(r *http.Request, body []byte) (string, *APIError) {
	p, err := rdsParams(r, body)
	if err != nil {
		return "", err
	}
	action := p.get("Action")
	switch {
	case action == "":
		return "", errorf("MissingAction", "The request must contain the parameter Action.")
	case p.get("Version") != snsVersion:
		return action, errorf("InvalidAction", "Could not find operation %s for version %s", action, p.get("Version"))
	case snsHandlers[action] == nil:
		return action, errorf("InvalidAction", "fakecloud does not emulate SNS %s (only topics, their attributes, tags and subscriptions)", action)
	}
	return action, nil
}

func (s *snsService) handle(c *call) *APIError {
	p, err := rdsParams(c.r, c.body)
	if err != nil {
		return err
	}
	return snsHandlers[c.action](s, c, p)
}

// snsDocument is a successful SNS response: RDS's shape in SNS's namespace.
type snsDocument struct {
	action string
	result any
	id     string
}

func (d snsDocument) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	root := xml.StartElement{Name: xml.Name{Local: d.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: snsNamespace}}}
	if err := e.EncodeToken(root); err != nil {
		return err
	}
	if d.result != nil {
		if err := e.EncodeElement(d.result, xml.StartElement{Name: xml.Name{Local: d.action + "Result"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeElement(stsResponseMetadata{RequestID: d.id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return e.EncodeToken(root.End())
}

func snsRespond(c *call, result any) {
	c.writeXML(http.StatusOK, snsDocument{action: c.action, result: result, id: c.requestID})
}

func (s *snsService) writeError(c *call, err *APIError) { writeQueryError(c, snsNamespace, err) }

func (s *snsService) authError(key string) *APIError { return queryAuthError(s.cloud, key) }

// deniedError is SNS's AuthorizationError, naming the topic.
func (s *snsService) deniedError(c *call) *APIError {
	resource := "*"
	if p, err := rdsParams(c.r, c.body); err == nil {
		if arn := p.get("TopicArn"); arn != "" {
			resource = arn
		} else if arn := p.get("ResourceArn"); arn != "" {
			resource = arn
		}
	}
	return &APIError{Status: http.StatusForbidden, Code: "AuthorizationError", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: SNS:%s on resource: %s because no identity-based policy allows the SNS:%s action",
		c.principal.ARN, c.action, resource, c.action)}
}

func snsNotFound(what string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "NotFound", Message: what + " does not exist"}
}

// snsMap reads a map parameter: prefix.entry.N.key / .value.
func snsMap(p ec2Params, prefix string) map[string]string {
	out := map[string]string{}
	for _, n := range p.indices(prefix + ".entry") {
		e := prefix + ".entry." + strconv.Itoa(n)
		out[p.get(e+".key")] = p.get(e + ".value")
	}
	return out
}

// snsTags reads Tags.member.N.Key / .Value.
func snsTags(p ec2Params) (map[string]string, *APIError) {
	out := map[string]string{}
	for _, n := range p.indices("Tags.member") {
		m := "Tags.member." + strconv.Itoa(n)
		k := p.get(m + ".Key")
		if k == "" || len(k) > 128 || len(p.get(m+".Value")) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, errorf("InvalidParameter", "Invalid parameter: Tags Reason: tag key %q or its value is invalid", k)
		}
		out[k] = p.get(m + ".Value")
	}
	return out, nil
}

// snsTagsTrail is tags as CloudTrail writes SNS's: a list of key/value.
func snsTagsTrail(tags map[string]string) []map[string]string {
	out := []map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, map[string]string{"key": k, "value": tags[k]})
	}
	return out
}

// topic finds the topic an ARN names in the caller's account and the
// call's region. Callers hold s.mu.
func (s *snsService) topic(c *call, arn string) (*snsTopic, *APIError) {
	if arn == "" {
		return nil, errorf("InvalidParameter", "Invalid parameter: TopicArn")
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || !snsTopicNamePattern.MatchString(strings.TrimSuffix(parts[5], ".fifo")) {
		return nil, errorf("InvalidParameter", "Invalid parameter: TopicArn Reason: %s is not a topic ARN", arn)
	}
	if parts[3] != c.region {
		return nil, errorf("InvalidParameter", "Invalid parameter: TopicArn Reason: A ARN must have the same region as the endpoint (%s)", c.region)
	}
	if parts[4] != c.account() {
		return nil, &APIError{Status: http.StatusForbidden, Code: "AuthorizationError", Message: fmt.Sprintf(
			"User: %s is not authorized to access topic %s; fakecloud has no topic policies.", c.principal.ARN, arn)}
	}
	t, ok := s.topics[ec2Key{parts[4], parts[3]}][parts[5]]
	if !ok {
		return nil, snsNotFound("Topic")
	}
	return t, nil
}

// create makes a topic, or returns the one of that name when every
// attribute and tag asked for matches, as SNS does.
func (s *snsService) create(account, region, name string, attrs, tags map[string]string) (*snsTopic, *APIError) {
	if strings.HasSuffix(name, ".fifo") {
		return nil, errorf("InvalidParameter", "Invalid parameter: Name Reason: fakecloud emulates standard topics only, not FIFO")
	}
	if !snsTopicNamePattern.MatchString(name) {
		return nil, errorf("InvalidParameter", "Invalid parameter: Topic Name")
	}
	for k := range attrs {
		if !slices.Contains(snsSettable, k) {
			return nil, errorf("InvalidParameter", "Invalid parameter: Attributes Reason: Unknown attribute %s", k)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := ec2Key{account, region}
	if s.topics[key] == nil {
		s.topics[key] = map[string]*snsTopic{}
	}
	if t, ok := s.topics[key][name]; ok {
		for k, v := range attrs {
			if t.attributes[k] != v {
				return nil, errorf("InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
			}
		}
		for k, v := range tags {
			if t.tags[k] != v {
				return nil, errorf("InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags")
			}
		}
		return t, nil
	}
	t := &snsTopic{account: account, region: region, name: name, attributes: map[string]string{}, tags: map[string]string{}}
	for k, v := range attrs {
		if v != "" {
			t.attributes[k] = v
		}
	}
	maps.Copy(t.tags, tags)
	s.topics[key][name] = t
	return t, nil
}

func (s *snsService) createTopic(c *call, p ec2Params) *APIError {
	name := p.get("Name")
	attrs := snsMap(p, "Attributes")
	tags, err := snsTags(p)
	c.Record(map[string]any{"name": name, "attributes": attrs, "tags": snsTagsTrail(tags)})
	if err != nil {
		return err
	}
	t, err := s.create(c.account(), c.region, name, attrs, tags)
	if err != nil {
		return err
	}
	c.RecordResponse(map[string]string{"topicArn": t.arn()})
	c.RecordResources(t.arn())
	snsRespond(c, struct {
		TopicArn string `xml:"TopicArn"`
	}{t.arn()})
	return nil
}

func (s *snsService) deleteTopic(c *call, p ec2Params) *APIError {
	arn := p.get("TopicArn")
	c.Record(map[string]string{"topicArn": arn})
	s.mu.Lock()
	t, err := s.topic(c, arn)
	if err == nil {
		delete(s.topics[ec2Key{t.account, t.region}], t.name)
	}
	s.mu.Unlock()
	// Deleting a topic that does not exist succeeds, as in SNS.
	if err != nil && err.Code != "NotFound" {
		return err
	}
	c.RecordResources(arn)
	snsRespond(c, nil)
	return nil
}

// listTopics pages 100 topics at a time in name order; the token is the
// last name of the page before.
func (s *snsService) listTopics(c *call, p ec2Params) *APIError {
	after := p.get("NextToken")
	s.mu.Lock()
	names := slices.Sorted(maps.Keys(s.topics[ec2Key{c.account(), c.region}]))
	s.mu.Unlock()
	start := 0
	if after != "" {
		i, found := slices.BinarySearch(names, after)
		if found {
			i++
		}
		start = i
	}
	type member struct {
		TopicArn string `xml:"TopicArn"`
	}
	var out struct {
		Topics    []member `xml:"Topics>member"`
		NextToken string   `xml:"NextToken,omitempty"`
	}
	end := min(start+snsPageSize, len(names))
	for _, n := range names[start:end] {
		out.Topics = append(out.Topics, member{snsTopicARN(c.region, c.account(), n)})
	}
	if end < len(names) {
		out.NextToken = names[end-1]
	}
	snsRespond(c, out)
	return nil
}

func (s *snsService) getTopicAttributes(c *call, p ec2Params) *APIError {
	s.mu.Lock()
	t, err := s.topic(c, p.get("TopicArn"))
	var attrs map[string]string
	if err == nil {
		attrs = maps.Clone(t.attributes)
		attrs["TopicArn"] = t.arn()
		attrs["Owner"] = t.account
		confirmed, pending := t.subscriptionCounts()
		attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"], attrs["SubscriptionsDeleted"] = strconv.Itoa(confirmed), strconv.Itoa(pending), "0"
		if attrs["Policy"] == "" {
			attrs["Policy"] = snsDefaultPolicy(t)
		}
		if attrs["DisplayName"] == "" {
			attrs["DisplayName"] = ""
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	type entry struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	}
	var out struct {
		Entries []entry `xml:"Attributes>entry"`
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		out.Entries = append(out.Entries, entry{k, attrs[k]})
	}
	snsRespond(c, out)
	return nil
}

// snsDefaultPolicy is the access policy SNS gives a new topic: its own
// account may use it.
func snsDefaultPolicy(t *snsTopic) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + t.arn() + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + t.account + `"}}}]}`
}

func (s *snsService) setTopicAttributes(c *call, p ec2Params) *APIError {
	arn, name, value := p.get("TopicArn"), p.get("AttributeName"), p.get("AttributeValue")
	c.Record(map[string]string{"topicArn": arn, "attributeName": name, "attributeValue": value})
	if !slices.Contains(snsSettable, name) {
		return errorf("InvalidParameter", "Invalid parameter: AttributeName")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(c, arn)
	if err != nil {
		return err
	}
	// An empty value removes the attribute: "" KmsMasterKeyId turns
	// encryption off.
	if value == "" {
		delete(t.attributes, name)
	} else {
		t.attributes[name] = value
	}
	c.RecordResources(t.arn())
	snsRespond(c, nil)
	return nil
}

func (s *snsService) tagResource(c *call, p ec2Params) *APIError {
	arn := p.get("ResourceArn")
	tags, err := snsTags(p)
	c.Record(map[string]any{"resourceArn": arn, "tags": snsTagsTrail(tags)})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(c, arn)
	if err != nil {
		if err.Code == "NotFound" {
			return &APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "Resource does not exist"}
		}
		return err
	}
	merged := maps.Clone(t.tags)
	maps.Copy(merged, tags)
	if len(merged) > 50 {
		return errorf("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
	}
	t.tags = merged
	c.RecordResources(t.arn())
	snsRespond(c, struct{}{})
	return nil
}

func (s *snsService) untagResource(c *call, p ec2Params) *APIError {
	arn, keys := p.get("ResourceArn"), p.strings("TagKeys.member")
	c.Record(map[string]any{"resourceArn": arn, "tagKeys": keys})
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(c, arn)
	if err != nil {
		if err.Code == "NotFound" {
			return &APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "Resource does not exist"}
		}
		return err
	}
	for _, k := range keys {
		delete(t.tags, k)
	}
	c.RecordResources(t.arn())
	snsRespond(c, struct{}{})
	return nil
}

func (s *snsService) listTagsForResource(c *call, p ec2Params) *APIError {
	s.mu.Lock()
	t, err := s.topic(c, p.get("ResourceArn"))
	var tags map[string]string
	if err == nil {
		tags = maps.Clone(t.tags)
	}
	s.mu.Unlock()
	if err != nil {
		if err.Code == "NotFound" {
			return &APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "Resource does not exist"}
		}
		return err
	}
	type tag struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	}
	var out struct {
		Tags []tag `xml:"Tags>member"`
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out.Tags = append(out.Tags, tag{k, tags[k]})
	}
	snsRespond(c, out)
	return nil
}

// TopicSeed is an SNS topic.
type TopicSeed struct {
	Region string `yaml:"region"`
	Name   string `yaml:"name"`
	// KMSMasterKeyID encrypts the topic; empty leaves it unencrypted.
	KMSMasterKeyID string            `yaml:"kms_master_key_id"`
	Tags           map[string]string `yaml:"tags"`
}

// SeedTopic creates a topic without a CloudTrail event.
func (c *Cloud) SeedTopic(account string, seed TopicSeed) error {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	attrs := map[string]string{}
	if seed.KMSMasterKeyID != "" {
		attrs["KmsMasterKeyId"] = seed.KMSMasterKeyID
	}
	if _, err := c.sns.create(account, seed.Region, seed.Name, attrs, seed.Tags); err != nil {
		return fmt.Errorf("topic %s: %w", seed.Name, err)
	}
	return nil
}

// TopicKey is a topic's KmsMasterKeyId, for tests; false when the topic
// does not exist.
func (c *Cloud) TopicKey(account, region, name string) (string, bool) {
	s := c.sns
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[ec2Key{account, region}][name]
	if !ok {
		return "", false
	}
	return t.attributes["KmsMasterKeyId"], true
}
