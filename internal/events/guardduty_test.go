package events

import "testing"

// TestParseGuardDutyCalls: the calls that change a region's GuardDuty, in
// the record shape of the GuardDuty user guide's CloudTrail page, resolve
// to the region's setting (named by the region, not the detector): a
// deleted detector leaves the setting to judge, so no call deletes it.
func TestParseGuardDutyCalls(t *testing.T) {
	const (
		src = "guardduty.amazonaws.com"
		id  = "12abc34d567e8fa901bc2d34e56789f0"
		arn = "arn:aws:guardduty:eu-west-1:123456789012:detector"
	)
	tests := []struct {
		name string
		body []byte
	}{
		{"CreateDetector", rdsRecord(src, "CreateDetector", map[string]any{"enable": true, "clientToken": "f3a0e9a6-0000-4000-8000-000000000001"}, map[string]any{"detectorId": id})},
		{"UpdateDetector", rdsRecord(src, "UpdateDetector", map[string]any{"detectorId": id, "enable": false}, nil)},
		{"DeleteDetector", rdsRecord(src, "DeleteDetector", map[string]any{"detectorId": id}, nil)},
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
			if tr.Ignored || tr.ResourceType != "aws_guardduty_detector" || tr.ResourceID != "eu-west-1" || tr.ARN != arn || tr.Deleted {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
}
