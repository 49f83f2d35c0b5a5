package guardduty

import "testing"

// TestDetectorResource: no detector is a violation (enabled false), a
// detector is as enabled as its status says, and a status GuardDuty left
// out is unknown (absent), never false.
func TestDetectorResource(t *testing.T) {
	const id = "12abc34d567e8fa901bc2d34e56789f0"
	for _, tc := range []struct {
		name    string
		state   DetectorState
		enabled any // nil: absent
	}{
		{"no detector", DetectorState{}, false},
		{"disabled", DetectorState{DetectorID: id, Status: "DISABLED"}, false},
		{"enabled", DetectorState{DetectorID: id, Status: "ENABLED"}, true},
		{"status unknown", DetectorState{DetectorID: id}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DetectorResource("123456789012", "eu-west-1", tc.state)
			got, ok := r.Properties["enabled"]
			if (tc.enabled == nil) == ok || (ok && got != tc.enabled) {
				t.Errorf("enabled = %v (present %v), want %v", got, ok, tc.enabled)
			}
			if r.ID != "eu-west-1" || r.ARN != "arn:aws:guardduty:eu-west-1:123456789012:detector" {
				t.Errorf("identity %s %s", r.ID, r.ARN)
			}
			if _, has := r.Properties["detector_id"]; has != (tc.state.DetectorID != "") {
				t.Errorf("detector_id in %v", r.Properties)
			}
		})
	}
}

// TestDetectorParseARN: rectify's setting ARN and a real detector ARN both
// name the region's setting; what lives under a detector and other
// services' ARNs do not.
func TestDetectorParseARN(t *testing.T) {
	for s, want := range map[string]string{
		"arn:aws:guardduty:eu-west-1:123456789012:detector":                                  "eu-west-1",
		"arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0": "eu-west-1",
		"arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d/filter/allow-scanner":    "",
		"arn:aws:guardduty:eu-west-1:123456789012:detector/":                                 "",
		"arn:aws:ec2:eu-west-1:123456789012:ebs-encryption-by-default":                       "",
	} {
		ref, ok := Detector.Resolve(s, "", "")
		if want == "" {
			if ok {
				t.Errorf("%s resolved to %+v", s, ref)
			}
			continue
		}
		if !ok || ref.ID != want || ref.ARN != DetectorSettingARN("123456789012", want) {
			t.Errorf("%s: %+v, %v; want the %s setting", s, ref, ok, want)
		}
	}
}
