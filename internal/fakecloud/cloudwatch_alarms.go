package fakecloud

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// cwMaxActions is the most actions of one kind an alarm may have.
const cwMaxActions = 5

var (
	cwStatistics  = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	cwComparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	// cwBandComparisons need an anomaly detection band (ThresholdMetricId),
	// which the fake does not model.
	cwBandComparisons = []string{"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
	cwMissingData     = []string{"breaching", "notBreaching", "ignore", "missing"}
	cwStates          = []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
	// cwActionARN is an action CloudWatch can take: an SNS topic, a Lambda
	// function, an Auto Scaling policy, an EC2 action, a Systems Manager
	// OpsItem or incident; group 1 is the service, 2 the region.
	cwActionARN = regexp.MustCompile(`^arn:aws[a-z-]*:(sns|lambda|autoscaling|automate|ssm|ssm-incidents):([a-z0-9-]*):`)
)

// cwAlarm is one metric alarm, as PutMetricAlarm last set it.
type cwAlarm struct {
	account, region string
	in              cwAlarmInput
	state           string
	stateReason     string
	stateUpdated    time.Time
	configUpdated   time.Time
}

type cwDimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type cwTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// cwAlarmInput is PutMetricAlarm's input, with the members the fake keeps.
type cwAlarmInput struct {
	AlarmName                        string        `json:"AlarmName"`
	AlarmDescription                 string        `json:"AlarmDescription"`
	ActionsEnabled                   *bool         `json:"ActionsEnabled"`
	OKActions                        []string      `json:"OKActions"`
	AlarmActions                     []string      `json:"AlarmActions"`
	InsufficientDataActions          []string      `json:"InsufficientDataActions"`
	MetricName                       string        `json:"MetricName"`
	Namespace                        string        `json:"Namespace"`
	Statistic                        string        `json:"Statistic"`
	ExtendedStatistic                string        `json:"ExtendedStatistic"`
	Dimensions                       []cwDimension `json:"Dimensions"`
	Period                           *int32        `json:"Period"`
	Unit                             string        `json:"Unit"`
	EvaluationPeriods                *int32        `json:"EvaluationPeriods"`
	DatapointsToAlarm                *int32        `json:"DatapointsToAlarm"`
	Threshold                        *float64      `json:"Threshold"`
	ComparisonOperator               string        `json:"ComparisonOperator"`
	TreatMissingData                 string        `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string        `json:"EvaluateLowSampleCountPercentile"`
	Tags                             []cwTag       `json:"Tags"`
	// Metric math and anomaly bands are refused; they are read only to
	// say so.
	Metrics           []any  `json:"Metrics"`
	ThresholdMetricID string `json:"ThresholdMetricId"`
}

func cwAlarmARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name)
}

func (a *cwAlarm) arn() string { return cwAlarmARN(a.region, a.account, a.in.AlarmName) }

// trail is PutMetricAlarm's requestParameters as CloudTrail writes them:
// the input members in lower camel case, unset ones left out.
func (in *cwAlarmInput) trail() map[string]any {
	p := map[string]any{"alarmName": in.AlarmName}
	set := func(k string, v any, ok bool) {
		if ok {
			p[k] = v
		}
	}
	set("alarmDescription", in.AlarmDescription, in.AlarmDescription != "")
	set("actionsEnabled", in.ActionsEnabled, in.ActionsEnabled != nil)
	set("oKActions", in.OKActions, len(in.OKActions) > 0)
	set("alarmActions", in.AlarmActions, len(in.AlarmActions) > 0)
	set("insufficientDataActions", in.InsufficientDataActions, len(in.InsufficientDataActions) > 0)
	set("metricName", in.MetricName, in.MetricName != "")
	set("namespace", in.Namespace, in.Namespace != "")
	set("statistic", in.Statistic, in.Statistic != "")
	set("extendedStatistic", in.ExtendedStatistic, in.ExtendedStatistic != "")
	set("dimensions", trailPairs(in.Dimensions, "name", func(d cwDimension) (string, string) { return d.Name, d.Value }), len(in.Dimensions) > 0)
	set("period", in.Period, in.Period != nil)
	set("unit", in.Unit, in.Unit != "")
	set("evaluationPeriods", in.EvaluationPeriods, in.EvaluationPeriods != nil)
	set("datapointsToAlarm", in.DatapointsToAlarm, in.DatapointsToAlarm != nil)
	set("threshold", in.Threshold, in.Threshold != nil)
	set("comparisonOperator", in.ComparisonOperator, in.ComparisonOperator != "")
	set("treatMissingData", in.TreatMissingData, in.TreatMissingData != "")
	set("evaluateLowSampleCountPercentile", in.EvaluateLowSampleCountPercentile, in.EvaluateLowSampleCountPercentile != "")
	set("tags", trailPairs(in.Tags, "key", func(t cwTag) (string, string) { return t.Key, t.Value }), len(in.Tags) > 0)
	return p
}

// trailPairs writes name/value (or key/value) structures as CloudTrail
// does: members in lower case.
func trailPairs[T any](items []T, name string, pair func(T) (string, string)) []map[string]string {
	out := make([]map[string]string, 0, len(items))
	for _, it := range items {
		n, v := pair(it)
		out = append(out, map[string]string{name: n, "value": v})
	}
	return out
}

// validate applies the model's constraints and CloudWatch's own rules to
// a metric alarm in region.
func (in *cwAlarmInput) validate(region string) *APIError {
	switch {
	case in.AlarmName == "":
		return errorf("MissingParameter", "The parameter AlarmName is required.")
	case len(in.AlarmName) > 255:
		return cwValidation("Value at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255")
	case len(in.AlarmDescription) > 1024:
		return cwValidation("Value at 'alarmDescription' failed to satisfy constraint: Member must have length less than or equal to 1024")
	case in.EvaluationPeriods == nil:
		return errorf("MissingParameter", "The parameter EvaluationPeriods is required.")
	case *in.EvaluationPeriods < 1:
		return cwValidation("Value '%d' at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.EvaluationPeriods)
	case in.ComparisonOperator == "":
		return errorf("MissingParameter", "The parameter ComparisonOperator is required.")
	case len(in.Metrics) > 0 || in.ThresholdMetricID != "" || slices.Contains(cwBandComparisons, in.ComparisonOperator):
		return cwInvalid("fakecloud does not emulate metric math or anomaly detection alarms (Metrics, ThresholdMetricId); give MetricName, Namespace, Statistic and Period")
	case !slices.Contains(cwComparisons, in.ComparisonOperator):
		return cwValidation("Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: %v", in.ComparisonOperator, slices.Concat(cwComparisons, cwBandComparisons))
	case in.Threshold == nil:
		return cwInvalid("Comparison operators that are not used for anomaly detection alarms require a Threshold.")
	case in.MetricName == "" || in.Namespace == "":
		return errorf("MissingParameter", "A metric alarm needs MetricName and Namespace.")
	case in.Statistic != "" && in.ExtendedStatistic != "":
		return errorf("InvalidParameterCombination", "Exactly one of Statistic or ExtendedStatistic must be specified.")
	case in.Statistic == "" && in.ExtendedStatistic == "":
		return errorf("MissingParameter", "Exactly one of Statistic or ExtendedStatistic must be specified.")
	case in.Statistic != "" && !slices.Contains(cwStatistics, in.Statistic):
		return cwValidation("Value '%s' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: %v", in.Statistic, cwStatistics)
	case in.Period == nil:
		return errorf("MissingParameter", "Period must be specified for a metric alarm.")
	case !cwValidPeriod(*in.Period):
		return cwInvalid("The parameter Period must be 10, 20, 30 or a multiple of 60.")
	case in.DatapointsToAlarm != nil && (*in.DatapointsToAlarm < 1 || *in.DatapointsToAlarm > *in.EvaluationPeriods):
		return cwInvalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
	case in.TreatMissingData != "" && !slices.Contains(cwMissingData, in.TreatMissingData):
		return cwInvalid("The value %s is not a valid TreatMissingData value; use one of %v.", in.TreatMissingData, cwMissingData)
	case len(in.Dimensions) > 30:
		return cwValidation("Value at 'dimensions' failed to satisfy constraint: Member must have length less than or equal to 30")
	}
	for _, actions := range [][]string{in.OKActions, in.AlarmActions, in.InsufficientDataActions} {
		if len(actions) > cwMaxActions {
			return cwValidation("Value at 'alarmActions' failed to satisfy constraint: Member must have length less than or equal to %d", cwMaxActions)
		}
		for _, a := range actions {
			m := cwActionARN.FindStringSubmatch(a)
			switch {
			case m == nil:
				return cwValidation("Invalid arn syntax: %s", a)
			case m[2] != "" && m[2] != region:
				return cwValidation("Invalid region %s specified. Only %s is supported.", m[2], region)
			}
		}
	}
	return nil
}

func cwValidPeriod(p int32) bool {
	return p == 10 || p == 20 || p == 30 || (p >= 60 && p%60 == 0)
}

// putMetricAlarm creates the alarm or replaces every setting of the one of
// that name, as CloudWatch does; a replaced alarm keeps its state.
func (s *cloudWatchService) putMetricAlarm(c *call) *APIError {
	var in cwAlarmInput
	if err := cborUnmarshal(c.body, &in); err != nil {
		return err
	}
	c.Record(in.trail())
	if err := in.validate(c.region); err != nil {
		return err
	}
	now := s.cloud.now()
	k := ec2Key{c.account(), c.region}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alarms[k] == nil {
		s.alarms[k] = map[string]*cwAlarm{}
	}
	a := s.alarms[k][in.AlarmName]
	if a == nil {
		a = &cwAlarm{account: k.account, region: k.region, state: "INSUFFICIENT_DATA", stateReason: "Unchecked: Initial alarm creation", stateUpdated: now}
		s.alarms[k][in.AlarmName] = a
	}
	a.in, a.configUpdated = in, now
	s.reply(c, nil)
	return nil
}

func (s *cloudWatchService) reply(c *call, v map[string]any) { c.writeCBOR(v) }

// describe is an alarm as DescribeAlarms and DescribeAlarmsForMetric
// return it (a MetricAlarm).
func (a *cwAlarm) describe() map[string]any {
	in := a.in
	enabled := in.ActionsEnabled == nil || *in.ActionsEnabled
	treat := in.TreatMissingData
	if treat == "" {
		treat = "missing"
	}
	dims := []any{}
	for _, d := range in.Dimensions {
		dims = append(dims, map[string]any{"Name": d.Name, "Value": d.Value})
	}
	out := map[string]any{
		"AlarmName":                          in.AlarmName,
		"AlarmArn":                           a.arn(),
		"AlarmDescription":                   in.AlarmDescription,
		"AlarmConfigurationUpdatedTimestamp": a.configUpdated,
		"ActionsEnabled":                     enabled,
		"OKActions":                          nonNil(in.OKActions),
		"AlarmActions":                       nonNil(in.AlarmActions),
		"InsufficientDataActions":            nonNil(in.InsufficientDataActions),
		"StateValue":                         a.state,
		"StateReason":                        a.stateReason,
		"StateUpdatedTimestamp":              a.stateUpdated,
		"StateTransitionedTimestamp":         a.stateUpdated,
		"MetricName":                         in.MetricName,
		"Namespace":                          in.Namespace,
		"Statistic":                          in.Statistic,
		"ExtendedStatistic":                  in.ExtendedStatistic,
		"Dimensions":                         dims,
		"Unit":                               in.Unit,
		"EvaluationPeriods":                  *in.EvaluationPeriods,
		"ComparisonOperator":                 in.ComparisonOperator,
		"TreatMissingData":                   treat,
		"EvaluateLowSampleCountPercentile":   in.EvaluateLowSampleCountPercentile,
	}
	if in.Period != nil {
		out["Period"] = *in.Period
	}
	if in.DatapointsToAlarm != nil {
		out["DatapointsToAlarm"] = *in.DatapointsToAlarm
	}
	if in.Threshold != nil {
		out["Threshold"] = *in.Threshold
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// describeAlarms lists the region's metric alarms in name order, chosen by
// AlarmNames or AlarmNamePrefix, StateValue and ActionPrefix. Composite
// alarms are never made, so CompositeAlarms is always empty; as in
// CloudWatch, only metric alarms are listed when AlarmTypes is not given.
func (s *cloudWatchService) describeAlarms(c *call) *APIError {
	var in struct {
		AlarmNames      []string `json:"AlarmNames"`
		AlarmNamePrefix string   `json:"AlarmNamePrefix"`
		AlarmTypes      []string `json:"AlarmTypes"`
		StateValue      string   `json:"StateValue"`
		ActionPrefix    string   `json:"ActionPrefix"`
		MaxRecords      *int32   `json:"MaxRecords"`
		NextToken       string   `json:"NextToken"`
	}
	if err := cborUnmarshal(c.body, &in); err != nil {
		return err
	}
	switch {
	case len(in.AlarmNames) > 100:
		return cwValidation("Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	case len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "":
		return errorf("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be given together.")
	case in.StateValue != "" && !slices.Contains(cwStates, in.StateValue):
		return cwValidation("Value '%s' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: %v", in.StateValue, cwStates)
	case in.MaxRecords != nil && (*in.MaxRecords < 1 || *in.MaxRecords > 100):
		return cwValidation("Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", *in.MaxRecords)
	}
	for _, t := range in.AlarmTypes {
		if t != "MetricAlarm" && t != "CompositeAlarm" {
			return cwValidation("Value '%s' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]", t)
		}
	}
	metric := len(in.AlarmTypes) == 0 || slices.Contains(in.AlarmTypes, "MetricAlarm")
	pageSize := 50
	if in.MaxRecords != nil {
		pageSize = int(*in.MaxRecords)
	}
	s.mu.Lock()
	var picked []*cwAlarm
	alarms := s.alarms[ec2Key{c.account(), c.region}]
	for _, name := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[name]
		switch {
		case !metric:
		case len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, name):
		case !strings.HasPrefix(name, in.AlarmNamePrefix):
		case in.StateValue != "" && a.state != in.StateValue:
		case in.ActionPrefix != "" && !a.hasActionPrefix(in.ActionPrefix):
		case in.NextToken != "" && name <= in.NextToken:
		default:
			picked = append(picked, a)
		}
	}
	out := map[string]any{"MetricAlarms": []any{}, "CompositeAlarms": []any{}}
	if len(picked) > pageSize {
		picked = picked[:pageSize]
		out["NextToken"] = picked[pageSize-1].in.AlarmName
	}
	list := []any{}
	for _, a := range picked {
		list = append(list, a.describe())
	}
	s.mu.Unlock()
	out["MetricAlarms"] = list
	s.reply(c, out)
	return nil
}

func (a *cwAlarm) hasActionPrefix(prefix string) bool {
	for _, act := range slices.Concat(a.in.AlarmActions, a.in.OKActions, a.in.InsufficientDataActions) {
		if strings.HasPrefix(act, prefix) {
			return true
		}
	}
	return false
}

// describeAlarmsForMetric lists the alarms on one metric: its namespace,
// name and exact set of dimensions (which is what names a metric), then
// Statistic, ExtendedStatistic, Period and Unit when given.
func (s *cloudWatchService) describeAlarmsForMetric(c *call) *APIError {
	var in struct {
		MetricName        string        `json:"MetricName"`
		Namespace         string        `json:"Namespace"`
		Statistic         string        `json:"Statistic"`
		ExtendedStatistic string        `json:"ExtendedStatistic"`
		Dimensions        []cwDimension `json:"Dimensions"`
		Period            *int32        `json:"Period"`
		Unit              string        `json:"Unit"`
	}
	if err := cborUnmarshal(c.body, &in); err != nil {
		return err
	}
	switch {
	case in.MetricName == "":
		return errorf("MissingParameter", "The parameter MetricName is required.")
	case in.Namespace == "":
		return errorf("MissingParameter", "The parameter Namespace is required.")
	case in.Statistic != "" && !slices.Contains(cwStatistics, in.Statistic):
		return cwValidation("Value '%s' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: %v", in.Statistic, cwStatistics)
	}
	dims := cwDimensionKey(in.Dimensions)
	s.mu.Lock()
	list := []any{}
	alarms := s.alarms[ec2Key{c.account(), c.region}]
	for _, name := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[name].in
		switch {
		case a.MetricName != in.MetricName || a.Namespace != in.Namespace || cwDimensionKey(a.Dimensions) != dims:
		case in.Statistic != "" && a.Statistic != in.Statistic:
		case in.ExtendedStatistic != "" && a.ExtendedStatistic != in.ExtendedStatistic:
		case in.Period != nil && (a.Period == nil || *a.Period != *in.Period):
		case in.Unit != "" && a.Unit != in.Unit:
		default:
			list = append(list, alarms[name].describe())
		}
	}
	s.mu.Unlock()
	s.reply(c, map[string]any{"MetricAlarms": list})
	return nil
}

// cwDimensionKey is a set of dimensions in a comparable form: sorted
// name=value pairs.
func cwDimensionKey(dims []cwDimension) string {
	pairs := make([]string, 0, len(dims))
	for _, d := range dims {
		pairs = append(pairs, d.Name+"="+d.Value)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "\x00")
}

// deleteAlarms deletes the named alarms: all or none, as CloudWatch
// deletes none when one name is wrong.
func (s *cloudWatchService) deleteAlarms(c *call) *APIError {
	var in struct {
		AlarmNames []string `json:"AlarmNames"`
	}
	if err := cborUnmarshal(c.body, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"alarmNames": nonNil(in.AlarmNames)})
	if len(in.AlarmNames) > 100 {
		return cwValidation("Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	k := ec2Key{c.account(), c.region}
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []string
	for _, n := range in.AlarmNames {
		if s.alarms[k][n] == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return &APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: fmt.Sprintf("%d/%d alarms not found: [%s]", len(missing), len(in.AlarmNames), strings.Join(missing, ", "))}
	}
	for _, n := range in.AlarmNames {
		delete(s.alarms[k], n)
	}
	s.reply(c, nil)
	return nil
}

// AlarmSeed is a metric alarm. The zero values of the evaluation
// settings are CIS's: Sum over 300 seconds, one period,
// GreaterThanOrEqualToThreshold 1.
type AlarmSeed struct {
	Region             string   `yaml:"region"`
	Name               string   `yaml:"name"`
	MetricName         string   `yaml:"metric_name"`
	Namespace          string   `yaml:"namespace"`
	Statistic          string   `yaml:"statistic"`
	Period             int32    `yaml:"period"`
	EvaluationPeriods  int32    `yaml:"evaluation_periods"`
	Threshold          *float64 `yaml:"threshold"`
	ComparisonOperator string   `yaml:"comparison_operator"`
	AlarmActions       []string `yaml:"alarm_actions"`
}

// SeedMetricAlarm creates a metric alarm without a CloudTrail event,
// checked as PutMetricAlarm checks it.
func (c *Cloud) SeedMetricAlarm(account string, seed AlarmSeed) error {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	in := cwAlarmInput{AlarmName: seed.Name, MetricName: seed.MetricName, Namespace: seed.Namespace, Statistic: cmp.Or(seed.Statistic, "Sum"),
		Period: new(cmp.Or(seed.Period, 300)), EvaluationPeriods: new(cmp.Or(seed.EvaluationPeriods, 1)), Threshold: seed.Threshold,
		ComparisonOperator: cmp.Or(seed.ComparisonOperator, "GreaterThanOrEqualToThreshold"), AlarmActions: seed.AlarmActions}
	if in.Threshold == nil {
		in.Threshold = new(1.0)
	}
	if err := in.validate(seed.Region); err != nil {
		return fmt.Errorf("alarm %s: %w", seed.Name, err)
	}
	s := c.cloudwatch
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ec2Key{account, seed.Region}
	if s.alarms[k] == nil {
		s.alarms[k] = map[string]*cwAlarm{}
	}
	now := c.now()
	s.alarms[k][seed.Name] = &cwAlarm{account: account, region: seed.Region, in: in, state: "INSUFFICIENT_DATA",
		stateReason: "Unchecked: Initial alarm creation", stateUpdated: now, configUpdated: now}
	return nil
}

// MetricAlarm is a metric alarm as the fake holds it, for tests.
type MetricAlarm struct {
	Name, MetricName, Namespace, Statistic, ComparisonOperator string
	Period, EvaluationPeriods                                  int32
	Threshold                                                  float64
	AlarmActions                                               []string
}

// MetricAlarms lists the region's metric alarms in name order, for tests.
func (c *Cloud) MetricAlarms(account, region string) []MetricAlarm {
	s := c.cloudwatch
	s.mu.Lock()
	defer s.mu.Unlock()
	alarms := s.alarms[ec2Key{account, region}]
	out := []MetricAlarm{}
	for _, name := range slices.Sorted(maps.Keys(alarms)) {
		in := alarms[name].in
		a := MetricAlarm{Name: name, MetricName: in.MetricName, Namespace: in.Namespace, Statistic: in.Statistic,
			ComparisonOperator: in.ComparisonOperator, EvaluationPeriods: *in.EvaluationPeriods, Threshold: *in.Threshold,
			AlarmActions: slices.Clone(in.AlarmActions)}
		if in.Period != nil {
			a.Period = *in.Period
		}
		out = append(out, a)
	}
	return out
}
