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
	tests := []rejectCase{
		{"empty", ``, "empty message"},
		{"blank", " \n\t ", "empty message"},
		{"truncated", good[:len(good)/2], "not JSON: unexpected end of JSON input"},
		{"trailing garbage", `{"eventName":"x"} {`, "not JSON"},
		{"not JSON at all", `<Error><Code>AccessDenied</Code></Error>`, "not JSON: invalid character '<'"},
		{"empty object", `{}`, "not an event rectify reads: found none of detail-type (EventBridge), Type and Message (SNS), messageType (Config), Records (a CloudTrail log file or a Lambda SNS event), eventName (CloudTrail) or rectify (a requeued evaluation)"},
		{"array", `[]`, "message is an array, expected an object"},
		{"array of records", `[` + good + `]`, "message is an array, expected an object"},
		{"null", `null`, "message is null, expected an object"},
		{"string", `"AWS API Call via CloudTrail"`, "message is a string"},
		{"number", `42`, "message is a number"},
		{"deep nesting", strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000), "exceeded max depth"},
		{"deep nesting inside detail", envelope(`"AWS API Call via CloudTrail"`, strings.Repeat(`{"a":`, 20000)+`1`+strings.Repeat(`}`, 20000)), "exceeded max depth"},
		{"other detail-type", envelope(`"GuardDuty Finding"`, `{}`), `EventBridge event with detail-type "GuardDuty Finding" is not supported; rectify reads "AWS API Call via CloudTrail", "Config Configuration Item Change" and "Security Hub Findings - Imported"`},
		{"Security Hub custom action", envelope(`"Security Hub Findings - Custom Action"`, `{"findings":[]}`), `detail-type "Security Hub Findings - Custom Action" is not supported`},
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
		{"create without response", `{` + ok + `,"eventName":"CreateSecurityGroup","responseElements":null}`, "CreateSecurityGroup names no security group (looked at responseElements.groupId)"},
		{"tags without resources", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{}}}`, "CreateTags names no security group"},
		{"tags item not an object", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{"items":["sg-1"]}}}`, "requestParameters.resourcesSet.items[0] is a string, expected an object"},
		{"tags item without id", `{` + ok + `,"eventName":"CreateTags","requestParameters":{"resourcesSet":{"items":[{}]}}}`, "CreateTags names no security group"},
		{"bucket call without bucket", `{` + strings.Replace(ok, "ec2", "s3", 1) + `,"eventName":"PutBucketPolicy","requestParameters":{"host":"s3.amazonaws.com"}}`, "PutBucketPolicy names no S3 bucket"},
		{"IAM call without name", `{` + strings.Replace(ok, "ec2", "iam", 1) + `,"eventName":"PutRolePolicy","requestParameters":{"policyName":"p"}}`, "PutRolePolicy names no IAM role (looked at requestParameters.roleName)"},
		{"supported call without account", `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","awsRegion":"us-east-1","requestParameters":{"roleName":"r"}}`, "AttachRolePolicy has no account id"},
		{"supported call without region", `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","recipientAccountId":"123456789012","requestParameters":{"roleName":"r"}}`, "AttachRolePolicy has no awsRegion"},
	}
	tests = append(tests, configRejects...)
	tests = append(tests, securityHubRejects...)
	tests = append(tests, snsRejects...)
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

type rejectCase struct {
	name string
	body string
	want string // substring of the error
}

func configItemBody(item string) string {
	return `{"messageType":"ConfigurationItemChangeNotification","configurationItem":` + item + `}`
}

var configRejects = []rejectCase{
	{"Config without messageType or item", `{"messageType":"","recordVersion":"1.3"}`, "Config notification has no messageType"},
	{"Config messageType object", `{"messageType":{"v":"x"}}`, "messageType is an object, expected a string"},
	{"Config item missing", `{"messageType":"ConfigurationItemChangeNotification"}`, "ConfigurationItemChangeNotification has no configurationItem"},
	{"Config item null", configItemBody(`null`), "ConfigurationItemChangeNotification has no configurationItem"},
	{"Config item empty list", configItemBody(`[]`), "ConfigurationItemChangeNotification has no configurationItem"},
	{"Config item a string", configItemBody(`"{}"`), "configurationItem is a string, expected an object"},
	{"Config item list with a number", configItemBody(`[{"resourceType":"AWS::S3::Bucket"},7]`), "configurationItem[1] is a number, expected an object"},
	{"Config item without resourceType", configItemBody(`{"resourceId":"sg-1"}`), "configurationItem: configuration item has no resourceType"},
	{"Config item without account", configItemBody(`{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","awsRegion":"eu-west-1"}`),
		"configurationItem: configuration item for AWS::EC2::SecurityGroup has no awsAccountId"},
	{"Config item without region", configItemBody(`{"resourceType":"AWS::S3::Bucket","resourceName":"b","awsAccountId":"123456789012"}`),
		"configuration item for AWS::S3::Bucket has no awsRegion"},
	{"Config item naming nothing", configItemBody(`{"resourceType":"AWS::IAM::Role","resourceId":"AROAX","awsAccountId":"123456789012","awsRegion":"global"}`),
		"configuration item for AWS::IAM::Role names no resource (resourceId, resourceName or ARN)"},
	{"Config item with a junk capture time", configItemBody(`{"resourceType":"AWS::S3::Bucket","configurationItemCaptureTime":"yesterday"}`),
		`configurationItem.configurationItemCaptureTime is "yesterday", expected a time`},
	{"Config resourceId an object", configItemBody(`{"resourceType":"AWS::S3::Bucket","resourceId":{"id":"b"}}`), "configurationItem.resourceId is an object, expected a string"},
	{"Config notification time junk", `{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":[1,2],"configurationItem":{}}`,
		"notificationCreationTime is an array of 2, expected a string"},
	{"oversized without summary", `{"messageType":"OversizedConfigurationItemChangeNotification","s3DeliverySummary":{}}`,
		"OversizedConfigurationItemChangeNotification has no configurationItemSummary"},
	{"oversized summary a string", `{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":"x"}`,
		"configurationItemSummary is a string, expected an object"},
	{"oversized delivery summary a number", `{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":` +
		`{"resourceType":"AWS::S3::Bucket","resourceName":"b","awsAccountId":"1","awsRegion":"r"},"s3DeliverySummary":5}`,
		"s3DeliverySummary is a number, expected an object"},
	{"Config detail in EventBridge without item", `{"detail-type":"Config Configuration Item Change","detail":{"messageType":"ConfigurationItemChangeNotification"}}`,
		"detail: ConfigurationItemChangeNotification has no configurationItem"},
}

func findingsBody(findings string) string {
	return `{"detail-type":"Security Hub Findings - Imported","account":"111111111111","region":"us-east-1","detail":{"findings":` + findings + `}}`
}

const failedFinding = `"GeneratorId":"g","Id":"f","AwsAccountId":"111111111111","Compliance":{"Status":"FAILED"}`

var securityHubRejects = []rejectCase{
	{"no findings", findingsBody(`[]`), "detail: Security Hub event has no findings"},
	{"findings missing", `{"detail-type":"Security Hub Findings - Imported","detail":{}}`, "detail: Security Hub event has no findings"},
	{"findings a string", findingsBody(`"x"`), "detail.findings is a string, expected an array"},
	{"finding a number", findingsBody(`[1]`), "detail.findings[0] is a number, expected an object"},
	{"finding without name", findingsBody(`[{"Id":"f","Resources":[{"Type":"AwsS3Bucket","Id":"b"}]}]`), "detail.findings[0]: finding has neither GeneratorId nor Title"},
	{"finding without resources", findingsBody(`[{` + failedFinding + `}]`), "detail.findings[0]: finding f has no Resources"},
	{"finding UpdatedAt junk", findingsBody(`[{` + failedFinding + `,"UpdatedAt":"now"}]`), `detail.findings[0].UpdatedAt is "now", expected a time`},
	{"Compliance a string", findingsBody(`[{` + failedFinding + `,"Compliance":"FAILED"}]`), "detail.findings[0].Compliance is a string, expected an object"},
	{"ProductFields a list", findingsBody(`[{` + failedFinding + `,"ProductFields":[1,2]}]`), "detail.findings[0].ProductFields is an array of 2, expected an object"},
	{"resource without Id", findingsBody(`[{` + failedFinding + `,"Resources":[{"Type":"AwsS3Bucket"}]}]`), "detail.findings[0].Resources[0]: resource has no Id"},
	{"resource a string", findingsBody(`[{` + failedFinding + `,"Resources":["arn:aws:s3:::b"]}]`), "detail.findings[0].Resources[0] is a string, expected an object"},
	{"resource without account", `{"detail-type":"Security Hub Findings - Imported","region":"us-east-1","detail":{"findings":[{"GeneratorId":"g",` +
		`"Resources":[{"Type":"AwsS3Bucket","Id":"b"}]}]}}`, "resource b has no account"},
	{"resource without region", `{"detail-type":"Security Hub Findings - Imported","detail":{"findings":[{"GeneratorId":"g","AwsAccountId":"1",` +
		`"Resources":[{"Type":"AwsS3Bucket","Id":"b"}]}]}}`, "resource b has no Region"},
	{"Details a string", findingsBody(`[{` + failedFinding + `,"Resources":[{"Type":"AwsEc2SecurityGroup","Id":"x","Details":"{}"}]}]`),
		"Resources[0].Details is a string, expected an object"},
}

const snsHead = `{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:123456789012:t",`

var snsRejects = []rejectCase{
	{"SNS Message empty object", snsHead + `"Message":"{}"}`, "SNS Message from arn:aws:sns:us-east-1:123456789012:t: not an event rectify reads"},
	{"SNS Message empty", snsHead + `"Message":""}`, "SNS Message from arn:aws:sns:us-east-1:123456789012:t: empty message"},
	{"SNS Message as e-mail text", snsHead + `"Message":"View the Timeline for this Resource in the Console:\n..."}`,
		"SNS Message from arn:aws:sns:us-east-1:123456789012:t: not JSON: invalid character 'V'"},
	{"SNS Message a number", snsHead + `"Message":42}`, "SNS Message is a number, expected a JSON string or an object"},
	{"SNS Message an array", snsHead + `"Message":[{}]}`, "SNS Message is an array of 1, expected a JSON string or an object"},
	{"SNS Message a list in a string", snsHead + `"Message":"[]"}`, "SNS Message from arn:aws:sns:us-east-1:123456789012:t: message is an array, expected an object"},
	{"SNS inside SNS", snsHead + `"Message":` + `"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}`, "SNS notification inside an SNS notification"},
	{"SNS subscription confirmation", `{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"You have chosen to subscribe","SubscribeURL":"https://sns"}`,
		"SNS SubscriptionConfirmation from topic arn:aws:sns:us-east-1:123456789012:t announces no change: confirm the subscription"},
	{"SNS unknown type", `{"Type":"Alert","Message":"{}"}`, `SNS message of Type "Alert" is not a notification`},
	{"SNS Type an object", `{"Type":{"t":1},"Message":"{}"}`, "Type is an object, expected a string"},
	{"SNS inner error named", snsHead + `"Message":"{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{\"eventSource\":\"s3.amazonaws.com\"}}"}`,
		"SNS Message from arn:aws:sns:us-east-1:123456789012:t: detail: CloudTrail record has no eventName"},
	{"SNS Message truncated", snsHead + `"Message":"{\"detail-type\":"}`, "not JSON: unexpected end of JSON input"},
}

func TestParseErrorUnwraps(t *testing.T) {
	_, err := Parse([]byte(`{"eventName":`))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Reason != "not JSON" || pe.Unwrap() == nil {
		t.Fatalf("err = %#v", err)
	}
}
