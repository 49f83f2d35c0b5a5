package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
)

// cisAlarm is the alarm rectify puts on a CIS metric filter's metric.
func cisAlarm(name, metric, topic string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		MetricName:         aws.String(metric),
		Namespace:          aws.String("LogMetrics"),
		Statistic:          types.StatisticSum,
		Period:             aws.Int32(300),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       []string{topic},
	}
}

// TestCloudWatchAlarms: the real CloudWatch client (rpc-v2-cbor) puts,
// describes (by name, prefix and metric) and deletes metric alarms; puts
// and deletes are CloudTrail events of monitoring.amazonaws.com.
func TestCloudWatchAlarms(t *testing.T) {
	c, cfg := startCloud(t)
	client := cloudwatch.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	topic := snsTopicARN(DefaultRegion, DefaultAccount, "alerts")

	for i, metric := range []string{"RootAccountUsage", "UnauthorizedAPICalls"} {
		if _, err := client.PutMetricAlarm(ctx, cisAlarm(fmt.Sprintf("rectify-cis-cloudwatch-%d", i+1), metric, topic)); err != nil {
			t.Fatalf("PutMetricAlarm %s: %v", metric, err)
		}
	}
	other := cisAlarm("billing", "EstimatedCharges", topic)
	other.Namespace = aws.String("AWS/Billing")
	other.Dimensions = []types.Dimension{{Name: aws.String("Currency"), Value: aws.String("USD")}}
	if _, err := client.PutMetricAlarm(ctx, other); err != nil {
		t.Fatal(err)
	}

	put := tap.last(t, "PutMetricAlarm")
	if put["eventSource"] != "monitoring.amazonaws.com" {
		t.Errorf("eventSource = %v", put["eventSource"])
	}
	p := put["requestParameters"].(map[string]any)
	if p["alarmName"] != "billing" || p["namespace"] != "AWS/Billing" || p["threshold"] != 1.0 || p["period"] != 300.0 ||
		p["comparisonOperator"] != "GreaterThanOrEqualToThreshold" || !slices.Equal(jsonStrings(p["alarmActions"]), []string{topic}) {
		t.Errorf("PutMetricAlarm requestParameters = %v", p)
	}
	if dims, _ := p["dimensions"].([]any); len(dims) != 1 || dims[0].(map[string]any)["name"] != "Currency" || dims[0].(map[string]any)["value"] != "USD" {
		t.Errorf("PutMetricAlarm dimensions = %v", p["dimensions"])
	}

	names := func(in *cloudwatch.DescribeAlarmsInput) []string {
		t.Helper()
		out, err := client.DescribeAlarms(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range out.MetricAlarms {
			got = append(got, aws.ToString(a.AlarmName))
		}
		return got
	}
	for _, tc := range []struct {
		name string
		in   cloudwatch.DescribeAlarmsInput
		want []string
	}{
		{"all", cloudwatch.DescribeAlarmsInput{}, []string{"billing", "rectify-cis-cloudwatch-1", "rectify-cis-cloudwatch-2"}},
		{"by name", cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"rectify-cis-cloudwatch-2", "nope"}}, []string{"rectify-cis-cloudwatch-2"}},
		{"by prefix", cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("rectify-cis-")}, []string{"rectify-cis-cloudwatch-1", "rectify-cis-cloudwatch-2"}},
		{"by state", cloudwatch.DescribeAlarmsInput{StateValue: types.StateValueOk}, nil},
		{"composite only", cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}}, nil},
		{"by action", cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:")}, []string{"billing", "rectify-cis-cloudwatch-1", "rectify-cis-cloudwatch-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(&tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("DescribeAlarms = %v, want %v", got, tc.want)
			}
		})
	}

	// Pages of one, through the SDK's paginator.
	var paged []string
	pager := cloudwatch.NewDescribeAlarmsPaginator(client, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(1)})
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.MetricAlarms {
			paged = append(paged, aws.ToString(a.AlarmName))
		}
	}
	if want := []string{"billing", "rectify-cis-cloudwatch-1", "rectify-cis-cloudwatch-2"}; !slices.Equal(paged, want) {
		t.Errorf("paged = %v, want %v", paged, want)
	}

	// The alarm reads back as it was put, in its initial state.
	forMetric, err := client.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{
		MetricName: aws.String("RootAccountUsage"), Namespace: aws.String("LogMetrics"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(forMetric.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarmsForMetric = %d alarms", len(forMetric.MetricAlarms))
	}
	a := forMetric.MetricAlarms[0]
	if aws.ToString(a.AlarmName) != "rectify-cis-cloudwatch-1" || aws.ToString(a.AlarmArn) != cwAlarmARN(DefaultRegion, DefaultAccount, "rectify-cis-cloudwatch-1") ||
		a.Statistic != types.StatisticSum || aws.ToInt32(a.Period) != 300 || aws.ToInt32(a.EvaluationPeriods) != 1 ||
		aws.ToFloat64(a.Threshold) != 1 || a.ComparisonOperator != types.ComparisonOperatorGreaterThanOrEqualToThreshold ||
		!slices.Equal(a.AlarmActions, []string{topic}) || !aws.ToBool(a.ActionsEnabled) || a.StateValue != types.StateValueInsufficientData ||
		aws.ToString(a.TreatMissingData) != "notBreaching" || a.AlarmConfigurationUpdatedTimestamp == nil || a.AlarmConfigurationUpdatedTimestamp.IsZero() {
		t.Errorf("alarm = %+v", a)
	}
	for _, tc := range []struct {
		name string
		in   cloudwatch.DescribeAlarmsForMetricInput
		want int
	}{
		{"other statistic", cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("RootAccountUsage"), Namespace: aws.String("LogMetrics"), Statistic: types.StatisticAverage}, 0},
		{"other period", cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("RootAccountUsage"), Namespace: aws.String("LogMetrics"), Period: aws.Int32(60)}, 0},
		{"dimensions name the metric", cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("EstimatedCharges"), Namespace: aws.String("AWS/Billing")}, 0},
		{"with its dimensions", cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("EstimatedCharges"), Namespace: aws.String("AWS/Billing"),
			Dimensions: []types.Dimension{{Name: aws.String("Currency"), Value: aws.String("USD")}}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.DescribeAlarmsForMetric(ctx, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.MetricAlarms) != tc.want {
				t.Errorf("%d alarms, want %d", len(out.MetricAlarms), tc.want)
			}
		})
	}

	// Put again replaces the settings.
	changed := cisAlarm("rectify-cis-cloudwatch-1", "RootAccountUsage", topic)
	changed.Threshold = aws.Float64(2.5)
	if _, err := client.PutMetricAlarm(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if got := c.MetricAlarms(DefaultAccount, DefaultRegion); len(got) != 3 || got[1].Threshold != 2.5 {
		t.Errorf("after replace: %+v", got)
	}

	// Deleting a missing name deletes nothing.
	_, err = client.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"rectify-cis-cloudwatch-1", "nope"}})
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("DeleteAlarms with a missing name: %v, want ResourceNotFound", err)
	}
	if failed := tap.last(t, "DeleteAlarms"); failed["errorCode"] != "ResourceNotFound" {
		t.Errorf("failed DeleteAlarms record: errorCode %v", failed["errorCode"])
	}
	if got := len(c.MetricAlarms(DefaultAccount, DefaultRegion)); got != 3 {
		t.Errorf("%d alarms after a failed delete", got)
	}
	if _, err := client.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"rectify-cis-cloudwatch-1", "billing"}}); err != nil {
		t.Fatal(err)
	}
	del := tap.last(t, "DeleteAlarms")
	if del["errorCode"] != nil || !slices.Equal(jsonStrings(del["requestParameters"].(map[string]any)["alarmNames"]), []string{"rectify-cis-cloudwatch-1", "billing"}) {
		t.Errorf("DeleteAlarms record = %v", del)
	}
	if got := names(&cloudwatch.DescribeAlarmsInput{}); !slices.Equal(got, []string{"rectify-cis-cloudwatch-2"}) {
		t.Errorf("after delete: %v", got)
	}
}

// TestCloudWatchAlarmErrors: invalid alarms are refused with the error
// codes CloudWatch's query-compatible protocol gives, typed where the SDK
// models the error, and a refused put is still a CloudTrail event.
func TestCloudWatchAlarmErrors(t *testing.T) {
	c, cfg := startCloud(t)
	client := cloudwatch.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	topic := snsTopicARN(DefaultRegion, DefaultAccount, "alerts")

	for _, tc := range []struct {
		name   string
		change func(*cloudwatch.PutMetricAlarmInput)
		code   string
	}{
		{"bad period", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(90) }, "InvalidParameterValue"},
		{"two statistics", func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }, "InvalidParameterCombination"},
		{"no statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "" }, "MissingParameter"},
		{"no threshold", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil }, "InvalidParameterValue"},
		{"action in another region", func(in *cloudwatch.PutMetricAlarmInput) {
			in.AlarmActions = []string{snsTopicARN("eu-west-1", DefaultAccount, "alerts")}
		}, "ValidationError"},
		{"not an action", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmActions = []string{"alerts"} }, "ValidationError"},
		{"metric math", func(in *cloudwatch.PutMetricAlarmInput) {
			in.MetricName, in.Namespace, in.Statistic, in.Period = nil, nil, "", nil
			in.Metrics = []types.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SUM(METRICS())")}}
		}, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := cisAlarm("bad", "RootAccountUsage", topic)
			tc.change(in)
			_, err := client.PutMetricAlarm(ctx, in)
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code || api.ErrorFault() != smithy.FaultClient {
				t.Fatalf("PutMetricAlarm: %v, want %s (client fault)", err, tc.code)
			}
			if rec := tap.last(t, "PutMetricAlarm"); rec["errorCode"] != tc.code || rec["requestParameters"].(map[string]any)["alarmName"] != "bad" {
				t.Errorf("record: errorCode %v, requestParameters %v", rec["errorCode"], rec["requestParameters"])
			}
		})
	}
	if got := c.MetricAlarms(DefaultAccount, DefaultRegion); len(got) != 0 {
		t.Errorf("refused puts made alarms: %+v", got)
	}

	_, err := client.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}, AlarmNamePrefix: aws.String("a")})
	var combo *types.InvalidParameterCombinationException
	if !errors.As(err, &combo) {
		t.Errorf("DescribeAlarms with names and prefix: %v, want InvalidParameterCombinationException", err)
	}

	// A principal without cloudwatch:PutMetricAlarm is refused, and the
	// refusal is recorded.
	c.AddUser(DefaultAccount, "reader", "AKIAREADER0000000001", "reader-secret", "monitoring:PutMetricAlarm")
	reader := cloudwatch.NewFromConfig(sdkConfig(c.URL(), "AKIAREADER0000000001", "reader-secret", ""))
	_, err = reader.PutMetricAlarm(ctx, cisAlarm("denied", "RootAccountUsage", topic))
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Errorf("denied PutMetricAlarm: %v", err)
	}
	if rec := tap.last(t, "PutMetricAlarm"); rec["errorCode"] != "AccessDenied" {
		t.Errorf("denied record: errorCode %v", rec["errorCode"])
	}

	// A key the cloud does not know is refused as the query protocol
	// refused it, which is what the client factory's refresh matches.
	stranger := cloudwatch.NewFromConfig(sdkConfig(c.URL(), "AKIAUNKNOWN000000000", "x", ""))
	_, err = stranger.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("unknown key: %v, want InvalidClientTokenId", err)
	}
}

// jsonStrings reads a JSON array of strings.
func jsonStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

// TestCloudWatchInjectedFaults: a fault on a CloudWatch or CloudWatch Logs
// call reaches the SDK as that error code, through both protocols, and the
// SDK retries a throttled call.
func TestCloudWatchInjectedFaults(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	noRetry := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Retryer = aws.NopRetryer{} })
	for _, tc := range []struct {
		code  string
		fault smithy.ErrorFault
	}{
		{"Throttling", smithy.FaultClient},
		{"InternalFailure", smithy.FaultServer},
	} {
		t.Run(tc.code, func(t *testing.T) {
			if err := c.InjectFault(Fault{Service: "monitoring", Action: "DescribeAlarms", Code: tc.code, Count: 1}); err != nil {
				t.Fatal(err)
			}
			_, err := noRetry.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code || api.ErrorFault() != tc.fault {
				t.Errorf("DescribeAlarms: %v, want %s (%v)", err, tc.code, tc.fault)
			}
		})
	}
	if err := c.InjectFault(Fault{Service: "monitoring", Action: "DescribeAlarmsForMetric", Code: "Throttling", Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudwatch.NewFromConfig(cfg).DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("M"), Namespace: aws.String("N")}); err != nil {
		t.Errorf("a throttled DescribeAlarmsForMetric was not retried: %v", err)
	}
	if err := c.InjectFault(Fault{Service: "logs", Action: "DescribeMetricFilters", Code: "ThrottlingException", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.Retryer = aws.NopRetryer{} }).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" {
		t.Errorf("DescribeMetricFilters: %v, want ThrottlingException", err)
	}
}
