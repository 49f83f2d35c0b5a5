package fakecloud

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// CloudWatch speaks Smithy rpcv2Cbor (rpcv2cbor.go): POST
// /service/GraniteServiceVersion20100801/operation/<Operation>. It was an
// awsQuery service, so its errors carry the query code too, and CloudTrail
// still records its calls under monitoring.amazonaws.com.
const cwPathPrefix = "/service/GraniteServiceVersion20100801/operation/"

// cwErrorShapes maps the query error codes the fake returns to the error
// shape ids the SDK knows them by (__type). A code not listed (an injected
// fault, an auth error) is sent as its own __type.
var cwErrorShapes = map[string]string{
	"ResourceNotFound":            "com.amazonaws.cloudwatch#ResourceNotFound",
	"InvalidParameterValue":       "com.amazonaws.cloudwatch#InvalidParameterValueException",
	"InvalidParameterCombination": "com.amazonaws.cloudwatch#InvalidParameterCombinationException",
	"MissingParameter":            "com.amazonaws.cloudwatch#MissingRequiredParameterException",
	"LimitExceeded":               "com.amazonaws.cloudwatch#LimitExceededFault",
	"InvalidNextToken":            "com.amazonaws.cloudwatch#InvalidNextToken",
	"ValidationError":             "com.amazon.coral.validate#ValidationException",
}

// cloudWatchService emulates the metric alarms of CloudWatch, per account
// and region: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric and
// DeleteAlarms. Alarms are stored and described, never evaluated: no
// metric data exists, so every alarm stays in INSUFFICIENT_DATA and no
// action fires. Metric math alarms (Metrics, ThresholdMetricId) and
// composite alarms are refused or listed empty.
type cloudWatchService struct {
	cloud *Cloud

	mu     sync.Mutex
	alarms map[ec2Key]map[string]*cwAlarm // by account and region, then name
}

func newCloudWatchService(c *Cloud) *cloudWatchService {
	return &cloudWatchService{cloud: c, alarms: map[ec2Key]map[string]*cwAlarm{}}
}

func (s *cloudWatchService) eventSource() string { return "monitoring.amazonaws.com" }

func (s *cloudWatchService) actions() []string { return slices.Sorted(maps.Keys(cwHandlers)) }

var cwHandlers = map[string]func(*cloudWatchService, *call) *APIError{
	"PutMetricAlarm":          (*cloudWatchService).putMetricAlarm,
	"DescribeAlarms":          (*cloudWatchService).describeAlarms,
	"DescribeAlarmsForMetric": (*cloudWatchService).describeAlarmsForMetric,
	"DeleteAlarms":            (*cloudWatchService).deleteAlarms,
}

func (s *cloudWatchService) route(r *http.Request, _ []byte) (string, *APIError) {
	op, ok := strings.CutPrefix(r.URL.Path, cwPathPrefix)
	if r.Method != http.MethodPost || !ok || op == "" || r.Header.Get("Smithy-Protocol") != smithyProtocol {
		return "", &APIError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: fmt.Sprintf(
			"fakecloud speaks CloudWatch's rpc-v2-cbor protocol only: POST %s<Operation> with Smithy-Protocol: %s (got %s %s)",
			cwPathPrefix, smithyProtocol, r.Method, r.URL.Path)}
	}
	if _, ok := cwHandlers[op]; !ok {
		return op, &APIError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: fmt.Sprintf(
			"fakecloud does not emulate CloudWatch %s (only PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric and DeleteAlarms)", op)}
	}
	return op, nil
}

func (s *cloudWatchService) handle(c *call) *APIError { return cwHandlers[c.action](s, c) }

func (s *cloudWatchService) writeError(c *call, err *APIError) {
	typ, ok := cwErrorShapes[err.Code]
	if !ok {
		typ = err.Code
	}
	c.writeCBORError(err, typ)
}

func (s *cloudWatchService) authError(key string) *APIError { return queryAuthError(s.cloud, key) }

func (s *cloudWatchService) deniedError(c *call) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: cloudwatch:%s on resource: arn:aws:cloudwatch:%s:%s:alarm:* because no identity-based policy allows the cloudwatch:%s action",
		c.principal.ARN, c.action, c.region, c.account(), c.action)}
}

// cwValidation is the generic constraint error of CloudWatch's model.
func cwValidation(format string, args ...any) *APIError {
	return errorf("ValidationError", "1 validation error detected: "+format, args...)
}

func cwInvalid(format string, args ...any) *APIError {
	return errorf("InvalidParameterValue", format, args...)
}
