package fakecloud

import (
	"maps"
	"slices"
	"strings"
)

// putMetricFilter creates the metric filter or replaces the one of that
// name on the log group.
func (s *logsService) putMetricFilter(c *call) *APIError {
	var in struct {
		LogGroupName          string                 `json:"logGroupName"`
		FilterName            string                 `json:"filterName"`
		FilterPattern         *string                `json:"filterPattern"`
		MetricTransformations []metricTransformation `json:"metricTransformations"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"logGroupName": in.LogGroupName, "filterName": in.FilterName}
	if in.FilterPattern != nil {
		params["filterPattern"] = *in.FilterPattern
	}
	if in.MetricTransformations != nil {
		params["metricTransformations"] = in.MetricTransformations
	}
	c.Record(params)
	if err := validateMetricFilter(in.FilterName, in.FilterPattern, in.MetricTransformations); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(c, in.LogGroupName)
	if g == nil {
		return logsGroupNotFound()
	}
	f := g.filters[in.FilterName]
	if f == nil {
		if len(g.filters) >= logsMaxFilters {
			return errorf("LimitExceededException", "Resource limit exceeded.")
		}
		f = &metricFilter{name: in.FilterName, created: s.cloud.now()}
		g.filters[in.FilterName] = f
	}
	f.pattern, f.transforms = *in.FilterPattern, slices.Clone(in.MetricTransformations)
	s.reply(c, struct{}{})
	return nil
}

// validateMetricFilter applies the model's constraints and the rules
// CloudWatch Logs adds; a pattern is checked only for balanced brackets
// and quotes, not parsed.
func validateMetricFilter(name string, pattern *string, ts []metricTransformation) *APIError {
	switch {
	case !logsFilterName.MatchString(name):
		return logsInvalid("1 validation error detected: Value '%s' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	case pattern == nil:
		return logsInvalid("1 validation error detected: Value null at 'filterPattern' failed to satisfy constraint: Member must not be null")
	case len(*pattern) > 1024:
		return logsInvalid("1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024")
	case !balancedPattern(*pattern):
		return logsInvalid("Invalid metric filter pattern")
	case len(ts) != 1:
		return logsInvalid("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1 and greater than or equal to 1")
	}
	t := ts[0]
	switch {
	case t.MetricName == "" || len(t.MetricName) > 255 || strings.ContainsAny(t.MetricName, ":*$"):
		return logsInvalid("1 validation error detected: Value '%s' at 'metricTransformations.1.member.metricName' failed to satisfy constraint: Member must satisfy regular expression pattern", t.MetricName)
	case t.MetricNamespace == "" || len(t.MetricNamespace) > 255 || strings.ContainsAny(t.MetricNamespace, ":*$"):
		return logsInvalid("1 validation error detected: Value '%s' at 'metricTransformations.1.member.metricNamespace' failed to satisfy constraint: Member must satisfy regular expression pattern", t.MetricNamespace)
	case t.MetricValue == "" || len(t.MetricValue) > 100:
		return logsInvalid("1 validation error detected: Value '%s' at 'metricTransformations.1.member.metricValue' failed to satisfy constraint: Member must have length between 1 and 100", t.MetricValue)
	case len(t.Dimensions) > 3:
		return logsInvalid("A metric filter may have at most 3 dimensions.")
	case len(t.Dimensions) > 0 && t.DefaultValue != nil:
		return logsInvalid("A metric filter with dimensions cannot have a default value.")
	}
	return nil
}

// balancedPattern reports whether the braces, parentheses and double
// quotes of a filter pattern are balanced.
func balancedPattern(p string) bool {
	var stack []rune
	quoted := false
	for _, r := range p {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '{' || r == '(' || r == '[':
			stack = append(stack, r)
		case r == '}' || r == ')' || r == ']':
			open := map[rune]rune{'}': '{', ')': '(', ']': '['}[r]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return !quoted && len(stack) == 0
}

func (f *metricFilter) describe(group string) map[string]any {
	return map[string]any{
		"filterName":             f.name,
		"filterPattern":          f.pattern,
		"metricTransformations":  f.transforms,
		"creationTime":           f.created.UnixMilli(),
		"logGroupName":           group,
		"applyOnTransformedLogs": false,
	}
}

// describeMetricFilters lists metric filters in log group then filter
// name order: of one log group (with filterNamePrefix), or of every log
// group of the region, optionally only those publishing one metric
// (metricName with metricNamespace). The token is "group:filter" of the
// last filter of the page before; neither name may hold a colon.
func (s *logsService) describeMetricFilters(c *call) *APIError {
	var in struct {
		LogGroupName     string `json:"logGroupName"`
		FilterNamePrefix string `json:"filterNamePrefix"`
		MetricName       string `json:"metricName"`
		MetricNamespace  string `json:"metricNamespace"`
		Limit            *int   `json:"limit"`
		NextToken        string `json:"nextToken"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	afterGroup, afterFilter, tokenOK := strings.Cut(in.NextToken, ":")
	switch {
	case in.FilterNamePrefix != "" && in.LogGroupName == "":
		return logsInvalid("If you specify filterNamePrefix, you must also specify logGroupName.")
	case (in.MetricName == "") != (in.MetricNamespace == ""):
		return logsInvalid("If you specify metricName or metricNamespace, you must specify both.")
	case in.Limit != nil && (*in.Limit < 1 || *in.Limit > 50):
		return logsInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50", *in.Limit)
	case in.NextToken != "" && !tokenOK:
		return logsInvalid("The specified nextToken is not valid.")
	}
	limit := 50
	if in.Limit != nil {
		limit = *in.Limit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := s.groups[ec2Key{c.account(), c.region}]
	names := slices.Sorted(maps.Keys(groups))
	if in.LogGroupName != "" {
		if groups[in.LogGroupName] == nil {
			return logsGroupNotFound()
		}
		names = []string{in.LogGroupName}
	}
	out := map[string]any{}
	list := []map[string]any{}
scan:
	for _, gn := range names {
		g := groups[gn]
		for _, fn := range slices.Sorted(maps.Keys(g.filters)) {
			f := g.filters[fn]
			switch {
			case !strings.HasPrefix(fn, in.FilterNamePrefix):
				continue
			case in.MetricName != "" && !f.publishes(in.MetricNamespace, in.MetricName):
				continue
			case in.NextToken != "" && (gn < afterGroup || gn == afterGroup && fn <= afterFilter):
				continue
			}
			if len(list) == limit {
				last := list[limit-1]
				out["nextToken"] = last["logGroupName"].(string) + ":" + last["filterName"].(string)
				break scan
			}
			list = append(list, f.describe(gn))
		}
	}
	out["metricFilters"] = list
	s.reply(c, out)
	return nil
}

func (f *metricFilter) publishes(namespace, name string) bool {
	for _, t := range f.transforms {
		if t.MetricNamespace == namespace && t.MetricName == name {
			return true
		}
	}
	return false
}

func (s *logsService) deleteMetricFilter(c *call) *APIError {
	var in struct {
		LogGroupName string `json:"logGroupName"`
		FilterName   string `json:"filterName"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"logGroupName": in.LogGroupName, "filterName": in.FilterName})
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(c, in.LogGroupName)
	if g == nil {
		return logsGroupNotFound()
	}
	if g.filters[in.FilterName] == nil {
		return errorf("ResourceNotFoundException", "The specified metric filter does not exist.")
	}
	delete(g.filters, in.FilterName)
	s.reply(c, struct{}{})
	return nil
}

// MetricFilter is a metric filter as the fake holds it, for tests.
type MetricFilter struct {
	Name, Pattern, MetricNamespace, MetricName, MetricValue string
}

// MetricFilters lists a log group's metric filters in name order, for
// tests; nil when the log group does not exist.
func (c *Cloud) MetricFilters(account, region, logGroup string) []MetricFilter {
	s := c.logs
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[ec2Key{account, region}][logGroup]
	if g == nil {
		return nil
	}
	out := []MetricFilter{}
	for _, n := range slices.Sorted(maps.Keys(g.filters)) {
		f := g.filters[n]
		m := MetricFilter{Name: n, Pattern: f.pattern}
		if len(f.transforms) > 0 {
			t := f.transforms[0]
			m.MetricNamespace, m.MetricName, m.MetricValue = t.MetricNamespace, t.MetricName, t.MetricValue
		}
		out = append(out, m)
	}
	return out
}
