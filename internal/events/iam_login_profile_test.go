package events

import "testing"

// Console password calls name the user in requestParameters.userName, as
// IAM logs them (the password itself never: HIDDEN_DUE_TO_SECURITY_REASONS);
// the user is the resource IAM.8 and IAM.22 judge.
func TestParseLoginProfileCalls(t *testing.T) {
	for _, name := range []string{"CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile"} {
		t.Run(name, func(t *testing.T) {
			params := map[string]any{"userName": "alice"}
			if name != "DeleteLoginProfile" {
				params["password"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
				params["passwordResetRequired"] = true
			}
			got, err := Parse(iamPasswordRecord(name, params, ""))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want one", got)
			}
			tr := got[0]
			if tr.Ignored || tr.ResourceType != "aws_iam_user" || tr.ResourceID != "alice" || tr.ARN != "arn:aws:iam::123456789012:user/alice" ||
				tr.Deleted || tr.Region != "us-east-1" {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
}
