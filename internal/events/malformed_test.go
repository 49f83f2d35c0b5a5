package events

import (
	"errors"
	"strings"
	"testing"
)

// Every malformed message gives a *ParseError that says what is wrong, and
// no Triggers. None may panic.
func TestParseRejects(t *testing.T) {
	const ok = `"eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"123456789012"`
	envelope := func(detailType, detail string) string {
		return `{"version":"0","detail-type":` + detailType + `,"source":"aws.ec2","account":"123456789012","region":"us-east-1","detail":` + detail + `}`
	}
	good := string(fixture(t, "raw-ec2-authorize-security-group-ingress.json"))
	tests := []struct {
		name string
		body string
		want string // substring of the error
	}{
		{"empty", ``, "empty message"},
		{"blank", " \n\t ", "empty message"},
		{"truncated", good[:len(good)/2], "not JSON: unexpected end of JSON input"},
		{"trailing garbage", `{"eventName":"x"} {`, "not JSON"},
		{"not JSON at all", `<Error><Code>AccessDenied</Code></Error>`, "not JSON: invalid character '<'"},
		{"empty object", `{}`, "not a CloudTrail event: found none of detail-type, Records, eventName"},
		{"array", `[]`, "message is an array, expected an object"},
		{"array of records", `[` + good + `]`, "message is an array, expected an object"},
		{"null", `null`, "message is null, expected an object"},
		{"string", `"AWS API Call via CloudTrail"`, "message is a string"},
		{"number", `42`, "message is a number"},
		{"deep nesting", strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000), "exceeded max depth"},
		{"deep nesting inside detail", envelope(`"AWS API Call via CloudTrail"`, strings.Repeat(`{"a":`, 20000)+`1`+strings.Repeat(`}`, 20000)), "exceeded max depth"},
		{"other detail-type", envelope(`"Config Configuration Item Change"`, `{}`), `EventBridge event with detail-type "Config Configuration Item Change" is not supported`},
		{"console sign-in", envelope(`"AWS Console Sign In via CloudTrail"`, `{}`), `detail-type "AWS Console Sign In via CloudTrail" is not supported`},
		{"no detail-type", `{"detail":{"eventName":"x"}}`, "EventBridge event has no detail-type"},
		{"detail-type object", envelope(`{"a":1}`, `{}`), "detail-type is an object, expected a string"},
		{"detail as string", envelope(`"AWS API Call via CloudTrail"`, `"{\"eventName\":\"DeleteBucket\"}"`), "EventBridge detail is a string, expected an object"},
		{"detail as array", envelope(`"AWS API Call via CloudTrail"`, `[]`), "EventBridge detail is an array, expected an object"},
		{"detail missing", `{"detail-type":"AWS API Call via CloudTrail"}`, "EventBridge detail is missing, expected an object"},
		{"detail without eventName", envelope(`"AWS API Call via CloudTrail"`, `{"eventSource":"s3.amazonaws.com"}`), "detail: CloudTrail record has no eventName"},
		{"envelope time garbage", `{"detail-type":"AWS API Call via CloudTrail","time":"yesterday","detail":{` + ok + `,"eventName":"x"}}`, `time is "yesterday", expected a time`},
		{"Records not an array", `{"Records":{"eventName":"x"}}`, "Records is an object, expected an array"},
		{"Records with a string", `{"Records":[` + good + `,"oops"]}`, "Records[1] is a string, expected an object"},
		{"Records entry without eventName", `{"Records":[` + good + `,{"eventSource":"s3.amazonaws.com"}]}`, "Records[1]: CloudTrail record has no eventName"},
		{"no eventSource", `{"eventName":"DeleteBucket"}`, "CloudTrail record has no eventSource"},
		{"eventName object", `{` + ok + `,"eventName":{"value":"DeleteBucket"}}`, "eventName is an object, expected a string"},
		{"eventName list of two", `{` + ok + `,"eventName":["a","b"]}`, "eventName is an array of 2, expected a string"},
		{"eventTime garbage", `{` + ok + `,"eventName":"CreateTags","eventTime":"Aug 1, 2024"}`, `eventTime is "Aug 1, 2024", expected a time`},
		{"readOnly garbage", `{` + ok + `,"eventName":"CreateTags","readOnly":"yes"}`, `readOnly is "yes", expected true or false`},
		{"userIdentity string", `{` + ok + `,"eventName":"CreateTags","userIdentity":"root"}`, "userIdentity is a string, expected an object"},
		{"sessionIssuer number", `{` + ok + `,"eventName":"CreateTags","userIdentity":{"sessionContext":{"sessionIssuer":7}}}`, "userIdentity.sessionContext.sessionIssuer is a number, expected an object"},
		{"supported call without group", `{` + ok + `,"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{}}`, "AuthorizeSecurityGroupIngress names no security group"},
		{"groupId object", `{` + ok + `,"eventName":"DeleteSecurityGroup","requestParameters":{"groupId":{"id":"sg-1"}}}`, "requestParameters.groupId is an object, expected a string"},
		{"requestParameters array of two", `{` + ok + `,"eventName":"DeleteSecurityGroup","requestParameters":[{},{}]}`, "requestParameters is an array of 2, expected an object"},
		{"create without response", `{` + ok + `,"eventName":"CreateSecurityGroup","responseElements":null}`, "CreateSecurityGroup has no responseElements.groupId"},
		{"tags without resources", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{}}}`, "CreateTags has no requestParameters.resourcesSet.items"},
		{"tags item not an object", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{"items":["sg-1"]}}}`, "requestParameters.resourcesSet.items[0] is a string, expected an object"},
		{"tags item without id", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{"items":[{}]}}}`, "items[0]: resource has no resourceId"},
		{"bucket call without bucket", `{` + strings.Replace(ok, "ec2", "s3", 1) + `,"eventName":"PutBucketPolicy","requestParameters":{"host":"s3.amazonaws.com"}}`, "PutBucketPolicy names no bucket"},
		{"IAM call without name", `{` + strings.Replace(ok, "ec2", "iam", 1) + `,"eventName":"PutRolePolicy","requestParameters":{"policyName":"p"}}`, "PutRolePolicy has no requestParameters.roleName"},
		{"supported call without account", `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","awsRegion":"us-east-1","requestParameters":{"roleName":"r"}}`, "AttachRolePolicy has no account id"},
		{"supported call without region", `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","recipientAccountId":"123456789012","requestParameters":{"roleName":"r"}}`, "AttachRolePolicy has no awsRegion"},
		{"SNS envelope", `{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"{}"}`, "SNS notification envelope is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Parse([]byte(tt.body))
			if err == nil {
				t.Fatalf("no error; triggers:\n%s", lines(t, ts))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, want *ParseError: %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if ts != nil {
				t.Errorf("triggers returned with an error: %v", ts)
			}
		})
	}
}

func TestParseErrorUnwraps(t *testing.T) {
	_, err := Parse([]byte(`{"eventName":`))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Reason != "not JSON" || pe.Unwrap() == nil {
		t.Fatalf("err = %#v", err)
	}
}
