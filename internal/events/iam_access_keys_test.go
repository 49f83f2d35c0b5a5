package events

import "testing"

// Access key calls name the user in requestParameters.userName, as IAM
// logs them; the user is the resource IAM.3 judges.
func TestParseAccessKeyCalls(t *testing.T) {
	for _, name := range []string{"CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"} {
		t.Run(name, func(t *testing.T) {
			params := map[string]any{"userName": "ci"}
			if name != "CreateAccessKey" {
				params["accessKeyId"] = "AKIAEXAMPLECIKEY0001"
			}
			if name == "UpdateAccessKey" {
				params["status"] = "Active"
			}
			got, err := Parse(iamPasswordRecord(name, params, ""))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want one", got)
			}
			tr := got[0]
			if tr.Ignored || tr.ResourceType != "aws_iam_user" || tr.ResourceID != "ci" || tr.ARN != "arn:aws:iam::123456789012:user/ci" ||
				tr.Deleted || tr.Region != "us-east-1" {
				t.Errorf("trigger = %+v", tr)
			}
		})
	}
}
