package events

import (
	"testing"
)

// The IAM calls beyond the captured Attach*Policy records: each is the
// captured AttachRolePolicy record (elastic/integrations, see
// testdata/cloudtrail/SOURCES.md) with the eventName and the
// requestParameters of that call as CloudTrail logs them.
func TestParseIAMPrincipalChanges(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	tests := []struct {
		eventName  string
		params     map[string]any
		errorCode  string
		wantType   string
		wantID     string
		wantARN    string
		wantReason string
	}{
		{"PutUserPolicy", map[string]any{"userName": "ops", "policyName": "everything", "policyDocument": doc},
			"", "aws_iam_user", "ops", "arn:aws:iam::123456789012:user/ops", ""},
		{"DeleteUserPolicy", map[string]any{"userName": "ops", "policyName": "everything"},
			"", "aws_iam_user", "ops", "arn:aws:iam::123456789012:user/ops", ""},
		{"DetachUserPolicy", map[string]any{"userName": "ops", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
			"", "aws_iam_user", "ops", "arn:aws:iam::123456789012:user/ops", ""},
		{"PutRolePolicy", map[string]any{"roleName": "deploy", "policyName": "all", "policyDocument": doc},
			"", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", ""},
		{"DeleteRolePolicy", map[string]any{"roleName": "deploy", "policyName": "all"},
			"", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", ""},
		{"DetachRolePolicy", map[string]any{"roleName": "deploy", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
			"", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", ""},
		{"PutGroupPolicy", map[string]any{"groupName": "admins", "policyName": "all", "policyDocument": doc},
			"", "aws_iam_group", "admins", "arn:aws:iam::123456789012:group/admins", ""},
		{"DeleteGroupPolicy", map[string]any{"groupName": "admins", "policyName": "all"},
			"", "aws_iam_group", "admins", "arn:aws:iam::123456789012:group/admins", ""},
		{"DetachGroupPolicy", map[string]any{"groupName": "admins", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
			"", "aws_iam_group", "admins", "arn:aws:iam::123456789012:group/admins", ""},
		// The exemption tags are policy input, so their changes re-evaluate.
		{"TagUser", map[string]any{"userName": "ops", "tags": []any{map[string]any{"key": "rectify:exempt", "value": "all"}}},
			"", "aws_iam_user", "ops", "arn:aws:iam::123456789012:user/ops", ""},
		{"UntagUser", map[string]any{"userName": "ops", "tagKeys": []any{"rectify:exempt"}},
			"", "aws_iam_user", "ops", "arn:aws:iam::123456789012:user/ops", ""},
		{"TagRole", map[string]any{"roleName": "deploy", "tags": []any{map[string]any{"key": "rectify:exempt", "value": "all"}}},
			"", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", ""},
		{"UntagRole", map[string]any{"roleName": "deploy", "tagKeys": []any{"rectify:exempt-until"}},
			"", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", ""},
		// A failed call names its target but is not acted on.
		{"PutRolePolicy", map[string]any{"roleName": "deploy", "policyName": "all", "policyDocument": "{"},
			"MalformedPolicyDocumentException", "aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", reasonFailed + "MalformedPolicyDocumentException"},
		// Creating a principal grants nothing yet: the attach that follows
		// is the event that counts.
		{"CreateUser", map[string]any{"userName": "ops"},
			"", "", "", "", reasonUnsupported + "iam.amazonaws.com/CreateUser"},
	}
	for _, tc := range tests {
		name := tc.eventName
		if tc.errorCode != "" {
			name += " failed"
		}
		t.Run(name, func(t *testing.T) {
			rec := decode(t, fixture(t, "raw-iam-attach-role-policy.json"))
			rec["eventName"] = tc.eventName
			rec["requestParameters"] = tc.params
			if tc.errorCode != "" {
				rec["errorCode"], rec["errorMessage"] = tc.errorCode, "Syntax errors in policy."
			}
			got, err := Parse(encode(t, rec))
			if err != nil {
				t.Fatal(err)
			}
			want := []Trigger{{
				Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
				ResourceType: tc.wantType, ResourceID: tc.wantID, ARN: tc.wantARN,
				EventName: tc.eventName, EventID: "57ce487a-26dc-4ed7-a79a-38730c5b1d4b",
				ActorARN: "arn:aws:iam::123456789012:user/test@elastic.co", EventTime: at("2024-10-15T08:28:01Z"),
				Ignored: tc.wantReason != "", Reason: tc.wantReason,
			}}
			assertTriggers(t, got, want)
		})
	}
}

// A record without the principal's name cannot name a workflow: an error,
// so the message goes to the DLQ rather than vanish.
func TestParseIAMWithoutPrincipal(t *testing.T) {
	rec := decode(t, fixture(t, "raw-iam-attach-role-policy.json"))
	rec["eventName"] = "TagRole"
	rec["requestParameters"] = map[string]any{"tags": []any{}}
	if _, err := Parse(encode(t, rec)); err == nil {
		t.Fatal("TagRole without roleName parsed without error")
	}
}
