package events

import "testing"

// TestParseConfigRecorderCalls: the calls that change a region's AWS
// Config recorder, in the record shape of the Config developer guide's
// CloudTrail page, resolve to the region's setting (named by the region,
// not the recorder): a deleted recorder leaves the setting to judge.
func TestParseConfigRecorderCalls(t *testing.T) {
	const (
		src = "config.amazonaws.com"
		arn = "arn:aws:config:eu-west-1:123456789012:configuration-recorder"
	)
	name := map[string]any{"configurationRecorderName": "default"}
	for _, tt := range []struct {
		name string
		body []byte
	}{
		{"PutConfigurationRecorder", rdsRecord(src, "PutConfigurationRecorder", map[string]any{"configurationRecorder": map[string]any{"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config"}}, nil)},
		{"StartConfigurationRecorder", rdsRecord(src, "StartConfigurationRecorder", name, nil)},
		{"StopConfigurationRecorder", rdsRecord(src, "StopConfigurationRecorder", name, nil)},
		{"DeleteConfigurationRecorder", rdsRecord(src, "DeleteConfigurationRecorder", name, nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want 1", got)
			}
			tr := got[0]
			if tr.Ignored || tr.ResourceType != "aws_config_configuration_recorder" || tr.ResourceID != "eu-west-1" || tr.ARN != arn || tr.Deleted {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
	// Delivery channel calls do not change whether the region records.
	got, err := Parse(rdsRecord(src, "PutDeliveryChannel", map[string]any{"deliveryChannel": map[string]any{"name": "default"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range got {
		if !tr.Ignored {
			t.Errorf("PutDeliveryChannel triggered %+v", tr)
		}
	}
}
