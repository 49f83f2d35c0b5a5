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

// CloudWatch Logs speaks awsJson1_1: POST / with X-Amz-Target
// "Logs_20140328.<Operation>", camelCase members, epoch milliseconds.
const (
	logsContentType  = "application/x-amz-json-1.1"
	logsTargetPrefix = "Logs_20140328."
	// logsMaxFilters is how many metric filters a log group may have.
	logsMaxFilters = 100
)

var (
	logsGroupName  = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	logsFilterName = regexp.MustCompile(`^[^:*]{1,512}$`)
)

// logsService emulates the log groups of CloudWatch Logs and their metric
// filters, per account and region. No log events are stored, so no filter
// ever matches anything and no metric is published: the fake keeps the
// configuration that CIS monitoring controls judge, nothing more.
type logsService struct {
	cloud *Cloud

	mu     sync.Mutex
	groups map[ec2Key]map[string]*logGroup // by account and region, then name
}

type logGroup struct {
	account, region, name string
	created               time.Time
	kmsKeyID              string
	tags                  map[string]string
	filters               map[string]*metricFilter // by name
}

// metricFilter is one metric filter, as PutMetricFilter last set it.
type metricFilter struct {
	name, pattern string
	transforms    []metricTransformation
	created       time.Time
}

type metricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

func logGroupARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, name)
}

func newLogsService(c *Cloud) *logsService {
	return &logsService{cloud: c, groups: map[ec2Key]map[string]*logGroup{}}
}

func (s *logsService) eventSource() string { return "logs.amazonaws.com" }

func (s *logsService) actions() []string { return slices.Sorted(maps.Keys(logsHandlers)) }

var logsHandlers = map[string]func(*logsService, *call) *APIError{
	"CreateLogGroup":        (*logsService).createLogGroup,
	"DescribeLogGroups":     (*logsService).describeLogGroups,
	"DeleteLogGroup":        (*logsService).deleteLogGroup,
	"PutMetricFilter":       (*logsService).putMetricFilter,
	"DescribeMetricFilters": (*logsService).describeMetricFilters,
	"DeleteMetricFilter":    (*logsService).deleteMetricFilter,
}

func (s *logsService) route(r *http.Request, _ []byte) (string, *APIError) {
	op, err := jsonTarget(r, logsTargetPrefix, "CloudWatch Logs")
	if err != nil {
		return "", err
	}
	if _, ok := logsHandlers[op]; !ok {
		return op, errorf("UnknownOperationException", "fakecloud does not emulate CloudWatch Logs %s (only log groups and metric filters)", op)
	}
	return op, nil
}

func (s *logsService) handle(c *call) *APIError { return logsHandlers[c.action](s, c) }

func (s *logsService) writeError(c *call, err *APIError) {
	writeJSONError(c, logsContentType, err)
}

func (s *logsService) authError(key string) *APIError { return jsonAuthError(s.cloud, key) }

func (s *logsService) deniedError(c *call) *APIError {
	return errorf("AccessDeniedException", "User: %s is not authorized to perform: logs:%s on resource: arn:aws:logs:%s:%s:log-group:* because no identity-based policy allows the logs:%s action",
		c.principal.ARN, c.action, c.region, c.account(), c.action)
}

func (s *logsService) reply(c *call, v any) { c.writeJSON(http.StatusOK, logsContentType, v) }

func logsInvalid(format string, args ...any) *APIError {
	return errorf("InvalidParameterException", format, args...)
}

func logsGroupNotFound() *APIError {
	return errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

// group finds a log group of the call's account and region. Callers hold
// s.mu.
func (s *logsService) group(c *call, name string) *logGroup {
	return s.groups[ec2Key{c.account(), c.region}][name]
}

func (s *logsService) create(account, region, name, kmsKeyID string, tags map[string]string) (*logGroup, *APIError) {
	if !logsGroupName.MatchString(name) {
		return nil, logsInvalid("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ec2Key{account, region}
	if s.groups[k] == nil {
		s.groups[k] = map[string]*logGroup{}
	}
	if s.groups[k][name] != nil {
		return nil, errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	g := &logGroup{account: account, region: region, name: name, created: s.cloud.now(), kmsKeyID: kmsKeyID,
		tags: maps.Clone(tags), filters: map[string]*metricFilter{}}
	s.groups[k][name] = g
	return g, nil
}

func (s *logsService) createLogGroup(c *call) *APIError {
	var in struct {
		LogGroupName string            `json:"logGroupName"`
		KmsKeyID     string            `json:"kmsKeyId"`
		Tags         map[string]string `json:"tags"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"logGroupName": in.LogGroupName}
	if in.KmsKeyID != "" {
		params["kmsKeyId"] = in.KmsKeyID
	}
	if len(in.Tags) > 0 {
		params["tags"] = in.Tags
	}
	c.Record(params)
	g, err := s.create(c.account(), c.region, in.LogGroupName, in.KmsKeyID, in.Tags)
	if err != nil {
		return err
	}
	c.RecordResources(logGroupARN(g.region, g.account, g.name))
	s.reply(c, struct{}{})
	return nil
}

// describeLogGroups pages through the region's log groups in name order;
// the token is the last name of the page before.
func (s *logsService) describeLogGroups(c *call) *APIError {
	var in struct {
		LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
		LogGroupNamePattern string `json:"logGroupNamePattern"`
		Limit               *int   `json:"limit"`
		NextToken           string `json:"nextToken"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	switch {
	case in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "":
		return logsInvalid("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive.")
	case in.Limit != nil && (*in.Limit < 1 || *in.Limit > 50):
		return logsInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50", *in.Limit)
	}
	limit := 50
	if in.Limit != nil {
		limit = *in.Limit
	}
	s.mu.Lock()
	groups := s.groups[ec2Key{c.account(), c.region}]
	out := map[string]any{}
	list := []map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		switch {
		case !strings.HasPrefix(name, in.LogGroupNamePrefix):
			continue
		case in.LogGroupNamePattern != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(in.LogGroupNamePattern)):
			continue
		case in.NextToken != "" && name <= in.NextToken:
			continue
		}
		if len(list) == limit {
			out["nextToken"] = list[limit-1]["logGroupName"]
			break
		}
		list = append(list, groups[name].describe())
	}
	s.mu.Unlock()
	out["logGroups"] = list
	s.reply(c, out)
	return nil
}

func (g *logGroup) describe() map[string]any {
	arn := logGroupARN(g.region, g.account, g.name)
	out := map[string]any{
		"logGroupName":      g.name,
		"creationTime":      g.created.UnixMilli(),
		"metricFilterCount": len(g.filters),
		"arn":               arn + ":*",
		"logGroupArn":       arn,
		"storedBytes":       0,
		"logGroupClass":     "STANDARD",
	}
	if g.kmsKeyID != "" {
		out["kmsKeyId"] = g.kmsKeyID
	}
	return out
}

// deleteLogGroup deletes a log group with its metric filters.
func (s *logsService) deleteLogGroup(c *call) *APIError {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"logGroupName": in.LogGroupName})
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(c, in.LogGroupName)
	if g == nil {
		return logsGroupNotFound()
	}
	delete(s.groups[ec2Key{g.account, g.region}], g.name)
	c.RecordResources(logGroupARN(g.region, g.account, g.name))
	s.reply(c, struct{}{})
	return nil
}

// LogGroupSeed is a CloudWatch Logs log group with its metric filters.
type LogGroupSeed struct {
	Region        string             `yaml:"region"`
	Name          string             `yaml:"name"`
	MetricFilters []MetricFilterSeed `yaml:"metric_filters"`
}

// MetricFilterSeed is a metric filter that publishes one metric.
type MetricFilterSeed struct {
	Name            string `yaml:"name"`
	Pattern         string `yaml:"pattern"`
	MetricNamespace string `yaml:"metric_namespace"`
	MetricName      string `yaml:"metric_name"`
	// MetricValue defaults to "1".
	MetricValue string `yaml:"metric_value"`
}

// SeedLogGroup creates a log group and its metric filters without a
// CloudTrail event and returns the group's ARN as a trail's
// CloudWatchLogsLogGroupArn names it (with ":*").
func (c *Cloud) SeedLogGroup(account string, seed LogGroupSeed) (string, error) {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	type filterIn struct {
		name, pattern string
		ts            []metricTransformation
	}
	var filters []filterIn
	for _, f := range seed.MetricFilters {
		if f.MetricValue == "" {
			f.MetricValue = "1"
		}
		ts := []metricTransformation{{MetricName: f.MetricName, MetricNamespace: f.MetricNamespace, MetricValue: f.MetricValue}}
		if err := validateMetricFilter(f.Name, &f.Pattern, ts); err != nil {
			return "", fmt.Errorf("log group %s: metric filter %s: %w", seed.Name, f.Name, err)
		}
		filters = append(filters, filterIn{f.Name, f.Pattern, ts})
	}
	if len(filters) > logsMaxFilters {
		return "", fmt.Errorf("log group %s: %d metric filters, at most %d", seed.Name, len(filters), logsMaxFilters)
	}
	g, err := c.logs.create(account, seed.Region, seed.Name, "", nil)
	if err != nil {
		return "", fmt.Errorf("log group %s: %w", seed.Name, err)
	}
	c.logs.mu.Lock()
	for _, f := range filters {
		g.filters[f.name] = &metricFilter{name: f.name, pattern: f.pattern, transforms: f.ts, created: c.now()}
	}
	c.logs.mu.Unlock()
	return logGroupARN(g.region, g.account, g.name) + ":*", nil
}
