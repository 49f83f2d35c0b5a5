package events

import (
	"errors"
	"strings"
	"testing"
)

// The fuzz targets all call Parse, which every message goes through; they
// differ in their seeds, so each explores the shapes of one kind of message.
// Plain `go test` runs the seeds: every fixture of the kind plus the shapes
// known to be awkward. CI runs each with -fuzz for a bounded time.

// FuzzParse: CloudTrail records, EventBridge envelopes and log files.
func FuzzParse(f *testing.F) {
	addFixtures(f, fixtureDir)
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"Records":[]}`, `{"Records":[null]}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":"{}"}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"Host":["a.s3.amazonaws.com"]}}}`,
		`{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","recipientAccountId":1,"awsRegion":"r","requestParameters":{"resourcesSet":{"items":{"resourceId":"sg-1"}}}}`,
		`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySecurityGroupRules","recipientAccountId":"1","awsRegion":"r","requestParameters":{"modifysecuritygrouprulesrequest":{"groupid":7}}}`,
		strings.Repeat(`{"a":`, 50) + `1` + strings.Repeat(`}`, 50),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParse)
}

// FuzzParseConfig: AWS Config notifications, raw, through SNS and from
// EventBridge, oversized or not.
func FuzzParseConfig(f *testing.F) {
	addFixtures(f, configFixtureDir)
	for _, seed := range []string{
		`{"messageType":"ConfigurationItemChangeNotification"}`,
		`{"messageType":"ConfigurationItemChangeNotification","configurationItem":[]}`,
		`{"configurationItem":{"resourceType":"AWS::IAM::Role","ARN":"arn:aws:iam::1:role/a/b","awsAccountId":1,"awsRegion":"global"}}`,
		`{"configurationItems":[{"resourceType":"aws::s3::bucket","arn":"arn:aws:s3:::b","accountId":"1","awsRegion":["r"]}]}`,
		`{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":{"resourceType":"AWS::KMS::Key","resourceId":"k","awsAccountId":"1","awsRegion":"r"},"s3DeliverySummary":{"s3BucketLocation":"s3://b"}}`,
		`{"messageType":"OversizedConfigurationItemChangeDeliveryFailed","configurationItemSummary":{"resourceType":"AWS::CloudTrail::Trail","resourceId":"arn:aws:cloudtrail:r:1:trail/t","awsAccountId":"1","awsRegion":"r"}}`,
		`{"detail-type":"Config Configuration Snapshot Delivery Status","detail":{}}`,
		`{"messageType":"ConfigurationSnapshotDeliveryCompleted"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParse)
}

// FuzzParseSecurityHub: "Security Hub Findings - Imported" events.
func FuzzParseSecurityHub(f *testing.F) {
	addFixtures(f, securityHubFixtureDir)
	for _, seed := range []string{
		`{"detail-type":"Security Hub Findings - Imported","detail":{"findings":[]}}`,
		`{"detail-type":"Security Hub Findings - Imported","account":"1","region":"r","detail":{"findings":{"Title":"t","Resources":{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::b"}}}}`,
		`{"detail-type":"Security Hub Findings - Imported","detail":{"findings":[{"GeneratorId":"rectify/x","Resources":[7]}]}}`,
		`{"detail-type":"Security Hub Findings - Imported","region":"r","detail":{"findings":[{"GeneratorId":"g","AwsAccountId":1,"Resources":[{"Type":"AwsIamRole","Id":"arn:aws:iam::2:role/p/q"},{"Type":"AwsEc2SecurityGroup","Id":"x","Details":{"AwsEc2SecurityGroup":{"GroupId":"sg-1"}}}]}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParse)
}

// FuzzParseSNS: SNS notifications around every other kind, Message as a
// string and as an object, as SQS receives them and as Lambda does
// ({"Records":[{"EventSource":"aws:sns","Sns":{...}}]}).
func FuzzParseSNS(f *testing.F) {
	addFixtures(f, snsFixtureDir)
	for _, dir := range []string{fixtureDir, securityHubFixtureDir} {
		for _, name := range fixtureNamesIn(f, dir) {
			body := fixtureIn(f, dir, name)
			f.Add(snsWrap(f, body, true))
			f.Add(snsWrap(f, body, false))
			f.Add(lambdaWrap(f, true, body))
		}
	}
	for _, seed := range []string{
		`{"Records":[{"EventSource":"aws:sns","Sns":"x"}]}`,
		`{"Records":[{"Sns":{}},{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy"}]}`,
		`{"Records":[{"eventsource":"AWS:SNS","sns":{"type":"Notification","message":{"Records":[{"Sns":{}}]}}}]}`,
		`{"Records":[{"EventSource":["aws:sns"],"Sns":{"Type":"Notification","TopicArn":7,"Message":"{\"messageType\":\"ConfigurationItemChangeNotification\"}"}}]}`,
		`{"Type":"Notification","Message":""}`,
		`{"Type":"Notification","Message":"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}`,
		`{"Type":"SubscriptionConfirmation","Message":"x"}`,
		`{"type":["Notification"],"message":{"messageType":"ConfigurationItemChangeNotification","configurationItem":{}}}`,
		`{"Type":"Notification","Message":"\ufeff[]"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParse)
}

func addFixtures(f *testing.F, dir string) {
	for _, name := range fixtureNamesIn(f, dir) {
		f.Add(fixtureIn(f, dir, name))
	}
}

var sources = map[string]bool{SourceCloudTrail: true, SourceConfig: true, SourceSecurityHub: true, "sweep": true, "direct": true}

// checkParse checks that body does not panic Parse and that the answer keeps
// Parse's promises.
func checkParse(t *testing.T, body []byte) {
	ts, err := Parse(body)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason == "" {
			t.Fatalf("error is not a *ParseError with a reason: %#v", err)
		}
		if ts != nil {
			t.Fatalf("triggers with an error: %v", ts)
		}
		return
	}
	for _, tr := range ts {
		if !sources[tr.Source] || tr.EventName == "" {
			t.Fatalf("trigger without source or event name: %+v", tr)
		}
		if tr.Ignored {
			if tr.Reason == "" || tr.Oversized != nil {
				t.Fatalf("ignored without a reason, or with an oversized item: %+v", tr)
			}
			continue
		}
		if tr.Reason != "" || tr.Account == "" || tr.Region == "" || tr.ResourceType == "" || tr.ResourceID == "" || tr.ARN == "" {
			t.Fatalf("live trigger missing identity: %+v", tr)
		}
		if tr.Oversized != nil && (tr.Source != SourceConfig || tr.Oversized.ConfigType == "" || tr.Oversized.ConfigID == "") {
			t.Fatalf("oversized reference incomplete: %+v", tr.Oversized)
		}
	}
	// Filtering what Parse returns must not panic either.
	Filter{RemediationRoles: []string{"arn:aws:iam::*:role/*"}}.Apply(ts)
}
