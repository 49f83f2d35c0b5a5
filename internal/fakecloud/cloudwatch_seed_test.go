package fakecloud

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// TestSeedFileCISMonitoring: a seed file sets up what the CIS monitoring
// controls read (a trail delivering to a log group with a metric filter,
// an alarm on its metric, a topic with a subscriber), and the real clients
// read it back without a CloudTrail event having been written.
func TestSeedFileCISMonitoring(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.yaml")
	yaml := `accounts:
- id: "123456789012"
  topics:
  - name: cis-alerts
  subscriptions:
  - {topic: cis-alerts, protocol: email, endpoint: secops@example.com}
  log_groups:
  - name: CloudTrail/main
    metric_filters:
    - name: root-usage
      pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
      metric_namespace: LogMetrics
      metric_name: RootAccountUsage
  alarms:
  - name: root-usage
    metric_name: RootAccountUsage
    namespace: LogMetrics
    alarm_actions: ["arn:aws:sns:us-east-1:123456789012:cis-alerts"]
  trails:
  - name: main
    bucket: trail-logs
    multi_region: true
    logging: true
    log_group_arn: "arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/main:*"
    log_role_arn: "arn:aws:iam::123456789012:role/CloudTrailToLogs"
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	if err := c.Apply(seed); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	trails, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) != 1 || aws.ToString(trails.TrailList[0].CloudWatchLogsLogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/main:*" {
		t.Fatalf("DescribeTrails = %+v, %v", trails, err)
	}
	filters, err := cloudwatchlogs.NewFromConfig(cfg).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("CloudTrail/main")})
	if err != nil || len(filters.MetricFilters) != 1 || aws.ToString(filters.MetricFilters[0].MetricTransformations[0].MetricValue) != "1" {
		t.Fatalf("DescribeMetricFilters = %+v, %v", filters, err)
	}
	alarms, err := cloudwatch.NewFromConfig(cfg).DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("RootAccountUsage"), Namespace: aws.String("LogMetrics")})
	if err != nil || len(alarms.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarmsForMetric = %+v, %v", alarms, err)
	}
	a := alarms.MetricAlarms[0]
	if a.Statistic != "Sum" || aws.ToInt32(a.Period) != 300 || aws.ToInt32(a.EvaluationPeriods) != 1 || aws.ToFloat64(a.Threshold) != 1 ||
		a.ComparisonOperator != "GreaterThanOrEqualToThreshold" || !slices.Equal(a.AlarmActions, []string{"arn:aws:sns:us-east-1:123456789012:cis-alerts"}) {
		t.Errorf("seeded alarm = %+v", a)
	}
	subs, err := sns.NewFromConfig(cfg).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:cis-alerts")})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) == "PendingConfirmation" {
		t.Fatalf("ListSubscriptionsByTopic = %+v, %v", subs, err)
	}
	tap.mu.Lock()
	if n := len(tap.events); n != 0 {
		t.Errorf("the seed wrote %d CloudTrail events", n)
	}
	tap.mu.Unlock()

	// A seed the services would refuse is refused.
	bad := Seed{Accounts: []AccountSeed{{ID: DefaultAccount, Alarms: []AlarmSeed{{Name: "x", MetricName: "M", Namespace: "N", Period: 90}}}}}
	if err := New(Options{}).Apply(bad); err == nil {
		t.Error("an alarm with period 90 was seeded")
	}
}
