package events

import (
	"encoding/json"
	"testing"
)

// iamPasswordRecord is a CloudTrail record of an account password policy
// call as IAM writes it: global, so awsRegion us-east-1; Update's
// requestParameters are the parameters given, Delete's null; no
// responseElements.
func iamPasswordRecord(eventName string, params any, errorCode string) []byte {
	rec := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::123456789012:user/alice",
			"accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE", "userName": "alice",
		},
		"eventTime": "2026-11-30T09:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": eventName,
		"awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
		"requestParameters": params, "responseElements": nil,
		"requestID": "R1", "eventID": "E-" + eventName, "readOnly": false, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": "123456789012", "eventCategory": "Management",
	}
	if errorCode != "" {
		rec["errorCode"], rec["errorMessage"] = errorCode, "The Password Policy with domain name 123456789012 cannot be found."
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseAccountPasswordPolicyCalls(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:account-password-policy"
	for _, tc := range []struct {
		name    string
		body    []byte
		ignored bool
	}{
		{"UpdateAccountPasswordPolicy", iamPasswordRecord("UpdateAccountPasswordPolicy",
			map[string]any{"minimumPasswordLength": 8, "requireSymbols": false, "maxPasswordAge": 365}, ""), false},
		{"DeleteAccountPasswordPolicy", iamPasswordRecord("DeleteAccountPasswordPolicy", nil, ""), false},
		{"DeleteAccountPasswordPolicy without one", iamPasswordRecord("DeleteAccountPasswordPolicy", nil, "NoSuchEntity"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want one", got)
			}
			tr := got[0]
			if tr.Ignored != tc.ignored {
				t.Fatalf("trigger = %+v, want ignored %t", tr, tc.ignored)
			}
			if tc.ignored {
				return
			}
			// A delete leaves the setting to judge (no policy at all), so
			// the trigger is no deletion.
			if tr.ResourceType != "aws_iam_account_password_policy" || tr.ResourceID != "123456789012" || tr.ARN != arn ||
				tr.Deleted || tr.Account != "123456789012" || tr.Region != "us-east-1" || tr.ActorARN != "arn:aws:iam::123456789012:user/alice" {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
}
