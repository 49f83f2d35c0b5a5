package fakecloud

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The CloudTrail control plane (trails, their logging switch and tags)
// speaks awsJson1_1 with X-Amz-Target "CloudTrail_20131101.<Operation>";
// older SDKs send the fully qualified
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>".
// trail.go is the other half of CloudTrail: the event stream.
const (
	cloudTrailContentType = "application/x-amz-json-1.1"
	cloudTrailTarget      = "CloudTrail_20131101."
	cloudTrailTargetLong  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
)

// cloudTrailService holds each account's trails. A multi-region trail lives
// in its home region and shows as a shadow trail in every other region.
type cloudTrailService struct {
	cloud *Cloud

	mu     sync.Mutex
	trails map[string][]*fakeTrail // by account, in creation order
}

type fakeTrail struct {
	name, account, homeRegion, arn string
	bucket, keyPrefix, snsTopic    string
	includeGlobal, multiRegion     bool
	logFileValidation              bool
	logGroupARN, logRoleARN        string
	kmsKeyID                       string
	logging                        bool
	started, stopped               time.Time
	tags                           []cloudTrailTag
}

type cloudTrailTag struct {
	Key   string
	Value string `json:",omitempty"`
}

func newCloudTrailService(c *Cloud) *cloudTrailService {
	return &cloudTrailService{cloud: c, trails: map[string][]*fakeTrail{}}
}

func (s *cloudTrailService) eventSource() string { return "cloudtrail.amazonaws.com" }

func (s *cloudTrailService) actions() []string { return slices.Sorted(maps.Keys(cloudTrailHandlers)) }

var cloudTrailHandlers = map[string]func(*cloudTrailService, *call) *APIError{
	"CreateTrail":    (*cloudTrailService).createTrail,
	"UpdateTrail":    (*cloudTrailService).updateTrail,
	"DeleteTrail":    (*cloudTrailService).deleteTrail,
	"DescribeTrails": (*cloudTrailService).describeTrails,
	"GetTrailStatus": (*cloudTrailService).getTrailStatus,
	"StartLogging":   (*cloudTrailService).startLogging,
	"StopLogging":    (*cloudTrailService).stopLogging,
	"AddTags":        (*cloudTrailService).addTags,
	"RemoveTags":     (*cloudTrailService).removeTags,
	"ListTags":       (*cloudTrailService).listTags,
}

func (s *cloudTrailService) route(r *http.Request, _ []byte) (string, *APIError) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, cloudTrailTargetLong)
	if !ok {
		op, ok = strings.CutPrefix(target, cloudTrailTarget)
	}
	if r.Method != http.MethodPost || !ok || op == "" {
		return "", errorf("UnknownOperationException",
			"fakecloud speaks the CloudTrail JSON protocol only: POST / with X-Amz-Target: %s<Operation> (got %s %s, target %q)",
			cloudTrailTarget, r.Method, r.URL.Path, target)
	}
	if _, ok := cloudTrailHandlers[op]; !ok {
		return op, errorf("UnknownOperationException", "fakecloud does not emulate CloudTrail %s", op)
	}
	return op, nil
}

func (s *cloudTrailService) handle(c *call) *APIError { return cloudTrailHandlers[c.action](s, c) }

func (s *cloudTrailService) writeError(c *call, err *APIError) {
	c.writeJSON(err.Status, cloudTrailContentType, map[string]string{"__type": err.Code, "message": err.Message})
}

func (s *cloudTrailService) authError(key string) *APIError { return jsonAuthError(s.cloud, key) }

func (s *cloudTrailService) deniedError(c *call) *APIError {
	return errorf("AccessDeniedException", "User: %s is not authorized to perform: cloudtrail:%s on resource: *", c.principal.ARN, c.action)
}

var (
	cloudTrailName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	cloudTrailARN  = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):([0-9]{12}):trail/(.+)$`)
)

// TrailSeed is a trail in a seed or made by SeedTrail.
type TrailSeed struct {
	Name        string `yaml:"name"`
	Region      string `yaml:"region"` // home region
	Bucket      string `yaml:"bucket"`
	MultiRegion bool   `yaml:"multi_region"`
	Logging     bool   `yaml:"logging"`
	// LogFileValidation and KMSKeyID (a key ARN, not checked) are what
	// CloudTrail.4 and CloudTrail.2 judge.
	LogFileValidation bool              `yaml:"log_file_validation"`
	KMSKeyID          string            `yaml:"kms_key_id"`
	Tags              map[string]string `yaml:"tags"`
	// LogGroupARN ("arn:aws:logs:<region>:<account>:log-group:<name>:*")
	// and LogRoleARN make the trail deliver to CloudWatch Logs, which the
	// CIS monitoring controls (CloudWatch.1–14) need. Neither is checked.
	LogGroupARN string `yaml:"log_group_arn"`
	LogRoleARN  string `yaml:"log_role_arn"`
}

// SeedTrail creates a trail without a CloudTrail event. The bucket need
// not exist: the seed is the state before the story starts.
func (c *Cloud) SeedTrail(account string, t TrailSeed) error {
	region := t.Region
	if region == "" {
		region = DefaultRegion
	}
	if !cloudTrailName.MatchString(t.Name) {
		return fmt.Errorf("seed trail: invalid name %q", t.Name)
	}
	tr := &fakeTrail{
		name: t.Name, account: account, homeRegion: region, arn: trailARN(account, region, t.Name),
		bucket: t.Bucket, includeGlobal: true, multiRegion: t.MultiRegion, logging: t.Logging,
		logFileValidation: t.LogFileValidation, kmsKeyID: t.KMSKeyID,
		logGroupARN: t.LogGroupARN, logRoleARN: t.LogRoleARN,
	}
	now := c.now().UTC()
	if t.Logging {
		tr.started = now
	}
	names := make([]string, 0, len(t.Tags))
	for k := range t.Tags {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		tr.tags = append(tr.tags, cloudTrailTag{Key: k, Value: t.Tags[k]})
	}
	s := c.cloudtrail
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName(account, region, t.Name) != nil {
		return fmt.Errorf("seed trail: %s already exists", t.Name)
	}
	s.trails[account] = append(s.trails[account], tr)
	return nil
}

func trailARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, account, name)
}

// visible says whether the trail shows in region: at home, or as a shadow.
func (t *fakeTrail) visible(region string) bool {
	return t.homeRegion == region || t.multiRegion
}

// byName finds a trail visible in region by its name. The caller holds s.mu.
func (s *cloudTrailService) byName(account, region, name string) *fakeTrail {
	for _, t := range s.trails[account] {
		if t.name == name && t.visible(region) {
			return t
		}
	}
	return nil
}

// lookup resolves a trail given by name or ARN, as every trail operation
// accepts. The caller holds s.mu.
func (s *cloudTrailService) lookup(c *call, nameOrARN string) (*fakeTrail, *APIError) {
	if nameOrARN == "" {
		return nil, errorf("InvalidTrailNameException", "Trail name or ARN can not be empty.")
	}
	account, region, name := c.account(), c.region, nameOrARN
	if strings.HasPrefix(nameOrARN, "arn:") {
		m := cloudTrailARN.FindStringSubmatch(nameOrARN)
		if m == nil {
			return nil, errorf("CloudTrailARNInvalidException", "The ARN %s is not valid.", nameOrARN)
		}
		account, name = m[2], m[3]
		if t := s.byName(account, m[1], name); t != nil && t.visible(region) {
			return t, nil
		}
		return nil, errorf("TrailNotFoundException", "Unknown trail: %s for the user: %s", nameOrARN, c.account())
	}
	if !cloudTrailName.MatchString(name) {
		return nil, errorf("InvalidTrailNameException", "Trail name %s is not valid: names are 3-128 letters, digits, periods, underscores and dashes, starting and ending with a letter or digit.", name)
	}
	if t := s.byName(account, region, name); t != nil {
		return t, nil
	}
	return nil, errorf("TrailNotFoundException", "Unknown trail: %s for the user: %s", trailARN(account, region, name), c.account())
}

// home fails a change made outside the trail's home region.
func (t *fakeTrail) home(c *call) *APIError {
	if t.homeRegion != c.region {
		return errorf("InvalidHomeRegionException", "This operation must be called from the trail's home region, %s.", t.homeRegion)
	}
	return nil
}

func (t *fakeTrail) api() map[string]any {
	m := map[string]any{
		"Name": t.name, "S3BucketName": t.bucket, "IncludeGlobalServiceEvents": t.includeGlobal,
		"IsMultiRegionTrail": t.multiRegion, "HomeRegion": t.homeRegion, "TrailARN": t.arn,
		"LogFileValidationEnabled": t.logFileValidation, "HasCustomEventSelectors": false,
		"HasInsightSelectors": false, "IsOrganizationTrail": false,
	}
	for k, v := range map[string]string{"S3KeyPrefix": t.keyPrefix, "SnsTopicName": t.snsTopic, "CloudWatchLogsLogGroupArn": t.logGroupARN, "CloudWatchLogsRoleArn": t.logRoleARN, "KmsKeyId": t.kmsKeyID} {
		if v != "" {
			m[k] = v
		}
	}
	if t.snsTopic != "" {
		m["SnsTopicARN"] = fmt.Sprintf("arn:aws:sns:%s:%s:%s", t.homeRegion, t.account, t.snsTopic)
	}
	return m
}

// trail is the trail as CloudTrail writes it in CreateTrail and
// UpdateTrail responseElements.
func (t *fakeTrail) trail() map[string]any {
	m := map[string]any{
		"name": t.name, "s3BucketName": t.bucket, "includeGlobalServiceEvents": t.includeGlobal,
		"isMultiRegionTrail": t.multiRegion, "trailARN": t.arn, "logFileValidationEnabled": t.logFileValidation,
		"isOrganizationTrail": false,
	}
	for k, v := range map[string]string{"s3KeyPrefix": t.keyPrefix, "snsTopicName": t.snsTopic, "cloudWatchLogsLogGroupArn": t.logGroupARN, "cloudWatchLogsRoleArn": t.logRoleARN, "kmsKeyId": t.kmsKeyID} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// trailInput is CreateTrail's and UpdateTrail's request; pointers tell an
// absent field from false.
type trailInput struct {
	Name                       string
	S3BucketName               *string
	S3KeyPrefix                *string
	SnsTopicName               *string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	CloudWatchLogsLogGroupArn  *string
	CloudWatchLogsRoleArn      *string
	KmsKeyID                   *string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool
	TagsList                   []cloudTrailTag
}

// trail is the requestParameters CloudTrail writes: what the caller sent.
func (in trailInput) trail() map[string]any {
	m := map[string]any{"name": in.Name}
	for k, v := range map[string]*string{"s3BucketName": in.S3BucketName, "s3KeyPrefix": in.S3KeyPrefix, "snsTopicName": in.SnsTopicName, "cloudWatchLogsLogGroupArn": in.CloudWatchLogsLogGroupArn, "cloudWatchLogsRoleArn": in.CloudWatchLogsRoleArn, "kmsKeyId": in.KmsKeyID} {
		if v != nil {
			m[k] = *v
		}
	}
	for k, v := range map[string]*bool{"includeGlobalServiceEvents": in.IncludeGlobalServiceEvents, "isMultiRegionTrail": in.IsMultiRegionTrail, "enableLogFileValidation": in.EnableLogFileValidation, "isOrganizationTrail": in.IsOrganizationTrail} {
		if v != nil {
			m[k] = *v
		}
	}
	if len(in.TagsList) > 0 {
		m["tagsList"] = trailTagsTrail(in.TagsList)
	}
	return m
}

func trailTagsTrail(tags []cloudTrailTag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		out = append(out, map[string]any{"key": t.Key, "value": t.Value})
	}
	return out
}

// apply sets the fields the input names, checking them first.
func (s *cloudTrailService) apply(c *call, t *fakeTrail, in trailInput) *APIError {
	if in.S3BucketName != nil {
		if _, ok := s.cloud.Bucket(*in.S3BucketName); !ok {
			return errorf("S3BucketDoesNotExistException", "S3 bucket %s does not exist.", *in.S3BucketName)
		}
	}
	if in.IsOrganizationTrail != nil && *in.IsOrganizationTrail {
		return errorf("NotOrganizationMasterAccountException", "The account %s is not the management account of an organization.", c.account())
	}
	if (in.CloudWatchLogsLogGroupArn == nil) != (in.CloudWatchLogsRoleArn == nil) {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be given together.")
	}
	if aerr := s.checkLogDelivery(c, in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn); aerr != nil {
		return aerr
	}
	if in.KmsKeyID != nil && *in.KmsKeyID != "" {
		arn, aerr := s.cloud.kms.trailKey(c, *in.KmsKeyID)
		if aerr != nil {
			return aerr
		}
		in.KmsKeyID = &arn // CloudTrail keeps the key's ARN, however it was named
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.bucket, in.S3BucketName)
	set(&t.keyPrefix, in.S3KeyPrefix)
	set(&t.snsTopic, in.SnsTopicName)
	set(&t.logGroupARN, in.CloudWatchLogsLogGroupArn)
	set(&t.logRoleARN, in.CloudWatchLogsRoleArn)
	set(&t.kmsKeyID, in.KmsKeyID)
	for dst, v := range map[*bool]*bool{&t.includeGlobal: in.IncludeGlobalServiceEvents, &t.multiRegion: in.IsMultiRegionTrail, &t.logFileValidation: in.EnableLogFileValidation} {
		if v != nil {
			*dst = *v
		}
	}
	return nil
}

func (s *cloudTrailService) createTrail(c *call) *APIError {
	var in trailInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(in.trail())
	switch {
	case !cloudTrailName.MatchString(in.Name):
		return errorf("InvalidTrailNameException", "Trail name %q is not valid: names are 3-128 letters, digits, periods, underscores and dashes, starting and ending with a letter or digit.", in.Name)
	case in.S3BucketName == nil || *in.S3BucketName == "":
		return errorf("InvalidS3BucketNameException", "S3 bucket name is required.")
	}
	for _, tag := range in.TagsList {
		if tag.Key == "" || strings.HasPrefix(tag.Key, "aws:") {
			return errorf("InvalidTagParameterException", "Tag key %q is not valid.", tag.Key)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.trails[c.account()] {
		// A name is taken in every region the trail shows in.
		if t.name == in.Name && (t.visible(c.region) || (in.IsMultiRegionTrail != nil && *in.IsMultiRegionTrail)) {
			return errorf("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", in.Name, c.account())
		}
	}
	t := &fakeTrail{name: in.Name, account: c.account(), homeRegion: c.region, arn: trailARN(c.account(), c.region, in.Name), includeGlobal: true}
	if err := s.apply(c, t, in); err != nil {
		return err
	}
	t.tags = slices.Clone(in.TagsList)
	s.trails[c.account()] = append(s.trails[c.account()], t)
	c.RecordResponse(t.trail())
	out := t.api()
	delete(out, "HomeRegion")
	delete(out, "HasCustomEventSelectors")
	delete(out, "HasInsightSelectors")
	c.writeJSON(http.StatusOK, cloudTrailContentType, out)
	return nil
}

func (s *cloudTrailService) updateTrail(c *call) *APIError {
	var in trailInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(in.trail())
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.lookup(c, in.Name)
	if aerr != nil {
		return aerr
	}
	if aerr := t.home(c); aerr != nil {
		return aerr
	}
	// Growing to every region must not collide with a same-named trail of
	// another region.
	if in.IsMultiRegionTrail != nil && *in.IsMultiRegionTrail && !t.multiRegion {
		for _, o := range s.trails[c.account()] {
			if o != t && o.name == t.name {
				return errorf("TrailAlreadyExistsException", "Trail %s already exists in region %s", t.name, o.homeRegion)
			}
		}
	}
	next := *t
	if aerr := s.apply(c, &next, in); aerr != nil {
		return aerr
	}
	*t = next
	c.RecordResponse(t.trail())
	out := t.api()
	delete(out, "HomeRegion")
	delete(out, "HasCustomEventSelectors")
	delete(out, "HasInsightSelectors")
	c.writeJSON(http.StatusOK, cloudTrailContentType, out)
	return nil
}

type trailNameInput struct {
	Name string
}

// named reads {Name} and records it as requestParameters.name, which is
// exactly what the caller sent: a name or an ARN.
func (s *cloudTrailService) named(c *call, record bool) (string, *APIError) {
	var in trailNameInput
	if err := decodeJSON11(c, &in); err != nil {
		return "", err
	}
	if record {
		c.Record(map[string]any{"name": in.Name})
	}
	return in.Name, nil
}

// changeTrail records the call, then runs change on the trail it names
// under the service lock; only the trail's home region may change it.
func (s *cloudTrailService) changeTrail(c *call, change func(*fakeTrail) *APIError) *APIError {
	name, aerr := s.named(c, true)
	if aerr != nil {
		return aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.lookup(c, name)
	if aerr != nil {
		return aerr
	}
	if aerr := t.home(c); aerr != nil {
		return aerr
	}
	return change(t)
}

func (s *cloudTrailService) deleteTrail(c *call) *APIError {
	return s.changeTrail(c, func(t *fakeTrail) *APIError {
		s.trails[c.account()] = slices.DeleteFunc(s.trails[c.account()], func(o *fakeTrail) bool { return o == t })
		c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{})
		return nil
	})
}

func (s *cloudTrailService) setLogging(c *call, on bool) *APIError {
	return s.changeTrail(c, func(t *fakeTrail) *APIError {
		switch {
		case on && !t.logging:
			t.logging, t.started = true, c.time
		case !on && t.logging:
			t.logging, t.stopped = false, c.time
		}
		c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{})
		return nil
	})
}

func (s *cloudTrailService) startLogging(c *call) *APIError { return s.setLogging(c, true) }
func (s *cloudTrailService) stopLogging(c *call) *APIError  { return s.setLogging(c, false) }

func (s *cloudTrailService) describeTrails(c *call) *APIError {
	var in struct {
		TrailNameList       []string `json:"trailNameList"`
		IncludeShadowTrails *bool    `json:"includeShadowTrails"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for _, t := range s.trails[c.account()] {
		if !t.visible(c.region) || (!shadows && t.homeRegion != c.region) {
			continue
		}
		// An unknown name in trailNameList is skipped, not an error.
		if len(in.TrailNameList) > 0 && !slices.Contains(in.TrailNameList, t.name) && !slices.Contains(in.TrailNameList, t.arn) {
			continue
		}
		list = append(list, t.api())
	}
	c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{"trailList": list})
	return nil
}

func (s *cloudTrailService) getTrailStatus(c *call) *APIError {
	name, aerr := s.named(c, false)
	if aerr != nil {
		return aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.lookup(c, name)
	if aerr != nil {
		return aerr
	}
	out := map[string]any{"IsLogging": t.logging}
	if !t.started.IsZero() {
		out["StartLoggingTime"] = epochSeconds(t.started)
		out["TimeLoggingStarted"] = t.started.UTC().Format(time.RFC3339)
	}
	if !t.stopped.IsZero() {
		out["StopLoggingTime"] = epochSeconds(t.stopped)
		out["TimeLoggingStopped"] = t.stopped.UTC().Format(time.RFC3339)
	}
	c.writeJSON(http.StatusOK, cloudTrailContentType, out)
	return nil
}

type trailTagsInput struct {
	ResourceID     string `json:"ResourceId"`
	TagsList       []cloudTrailTag
	ResourceIDList []string `json:"ResourceIdList"`
	NextToken      string
}

// tagTarget resolves the trail a tagging call names by ARN.
func (s *cloudTrailService) tagTarget(c *call, arn string) (*fakeTrail, *APIError) {
	if arn == "" {
		return nil, errorf("ResourceNotFoundException", "Resource ID is required.")
	}
	if !cloudTrailARN.MatchString(arn) {
		return nil, errorf("CloudTrailARNInvalidException", "The ARN %s is not valid.", arn)
	}
	t, aerr := s.lookup(c, arn)
	if aerr != nil {
		return nil, errorf("ResourceNotFoundException", "Resource %s not found.", arn)
	}
	return t, nil
}

func (s *cloudTrailService) addTags(c *call) *APIError {
	var in trailTagsInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"resourceId": in.ResourceID, "tagsList": trailTagsTrail(in.TagsList)})
	for _, tag := range in.TagsList {
		if tag.Key == "" || strings.HasPrefix(tag.Key, "aws:") {
			return errorf("InvalidTagParameterException", "Tag key %q is not valid.", tag.Key)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.tagTarget(c, in.ResourceID)
	if aerr != nil {
		return aerr
	}
	for _, tag := range in.TagsList {
		i := slices.IndexFunc(t.tags, func(x cloudTrailTag) bool { return x.Key == tag.Key })
		if i >= 0 {
			t.tags[i] = tag
		} else {
			t.tags = append(t.tags, tag)
		}
	}
	if len(t.tags) > 50 {
		return errorf("TagsLimitExceededException", "The number of tags on %s would exceed 50.", t.arn)
	}
	c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{})
	return nil
}

func (s *cloudTrailService) removeTags(c *call) *APIError {
	var in trailTagsInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"resourceId": in.ResourceID, "tagsList": trailTagsTrail(in.TagsList)})
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.tagTarget(c, in.ResourceID)
	if aerr != nil {
		return aerr
	}
	t.tags = slices.DeleteFunc(t.tags, func(x cloudTrailTag) bool {
		// A tag given with a value is removed only when the value matches.
		return slices.ContainsFunc(in.TagsList, func(r cloudTrailTag) bool { return r.Key == x.Key && (r.Value == "" || r.Value == x.Value) })
	})
	c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{})
	return nil
}

func (s *cloudTrailService) listTags(c *call) *APIError {
	var in trailTagsInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	if len(in.ResourceIDList) == 0 {
		return errorf("InvalidParameterException", "ResourceIdList is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for _, arn := range in.ResourceIDList {
		t, aerr := s.tagTarget(c, arn)
		if aerr != nil {
			return aerr
		}
		tags := slices.Clone(t.tags)
		if tags == nil {
			tags = []cloudTrailTag{}
		}
		list = append(list, map[string]any{"ResourceId": t.arn, "TagsList": tags})
	}
	c.writeJSON(http.StatusOK, cloudTrailContentType, map[string]any{"ResourceTagList": list})
	return nil
}

// blind reports whether CloudTrail delivers nothing from account and
// region to EventBridge: there are trails covering the region and none is
// logging. EventBridge sees "AWS API Call via CloudTrail" events only
// through a logging trail. An account with no trail at all is treated as
// covered by one outside the fake (an organization trail), so that every
// other test keeps its events.
func (s *cloudTrailService) blind(account, region string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	covered := false
	for _, t := range s.trails[account] {
		if !t.visible(region) {
			continue
		}
		if t.logging {
			return false
		}
		covered = true
	}
	return covered
}

var (
	trailLogGroupARN = regexp.MustCompile(`^arn:aws[a-z-]*:logs:([a-z0-9-]+):([0-9]{12}):log-group:([.\-_/#A-Za-z0-9]+):\*$`)
	trailLogRoleARN  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`)
)

// checkLogDelivery checks the CloudWatch Logs delivery of CreateTrail and
// UpdateTrail as CloudTrail does: the log group ARN ends in ":*" and names
// an existing log group of the caller, and the role is a role. Empty
// values turn delivery off. Whether the role may write to the group is not
// checked.
func (s *cloudTrailService) checkLogDelivery(c *call, group, role *string) *APIError {
	if group == nil || *group == "" && *role == "" {
		return nil
	}
	m := trailLogGroupARN.FindStringSubmatch(*group)
	if m == nil || m[2] != c.account() || m[1] != c.region {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudWatch Logs log group ARN %s is not valid.", *group)
	}
	if !trailLogRoleARN.MatchString(*role) {
		return errorf("InvalidCloudWatchLogsRoleArnException", "CloudWatch Logs role ARN %s is not valid.", *role)
	}
	logs := s.cloud.logs
	logs.mu.Lock()
	exists := logs.groups[ec2Key{m[2], m[1]}][m[3]] != nil
	logs.mu.Unlock()
	if !exists {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN %s: the log group does not exist.", *group)
	}
	return nil
}
