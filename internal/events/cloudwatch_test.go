package events

import "testing"

// TestParseCISMonitoringCalls: the calls that change a region's CIS
// monitoring filters and alarms, in the record shapes CloudTrail gives
// them (requestParameters in lower camel case), resolve to the region's
// setting, named by the region: a deleted filter, alarm or log group
// leaves the setting to judge, so no call deletes it.
func TestParseCISMonitoringCalls(t *testing.T) {
	const arn = "arn:aws:cloudwatch:eu-west-1:123456789012:cis-monitoring"
	tests := []struct {
		name string
		body []byte
	}{
		{"PutMetricFilter", rdsRecord("logs.amazonaws.com", "PutMetricFilter", map[string]any{
			"logGroupName": "CloudTrail/org", "filterName": "root", "filterPattern": "{$.userIdentity.type=\"Root\"}",
			"metricTransformations": []any{map[string]any{"metricName": "RootAccountUsage", "metricNamespace": "LogMetrics", "metricValue": "1"}},
		}, nil)},
		{"DeleteMetricFilter", rdsRecord("logs.amazonaws.com", "DeleteMetricFilter", map[string]any{"logGroupName": "CloudTrail/org", "filterName": "root"}, nil)},
		{"DeleteLogGroup", rdsRecord("logs.amazonaws.com", "DeleteLogGroup", map[string]any{"logGroupName": "CloudTrail/org"}, nil)},
		{"PutMetricAlarm", rdsRecord("monitoring.amazonaws.com", "PutMetricAlarm", map[string]any{"alarmName": "root", "metricName": "RootAccountUsage", "namespace": "LogMetrics"}, nil)},
		{"DeleteAlarms", rdsRecord("monitoring.amazonaws.com", "DeleteAlarms", map[string]any{"alarmNames": []any{"root"}}, nil)},
		{"Unsubscribe", rdsRecord("sns.amazonaws.com", "Unsubscribe", map[string]any{"subscriptionArn": "arn:aws:sns:eu-west-1:123456789012:alarms:0f7c2c5e"}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want 1", got)
			}
			tr := got[0]
			if tr.Ignored || tr.ResourceType != "aws_cloudwatch_log_metric_filter" || tr.ResourceID != "eu-west-1" || tr.ARN != arn || tr.Deleted {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
}
