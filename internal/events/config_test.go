package events

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseConfigFixtures(t *testing.T) {
	const (
		itemChange = "ConfigurationItemChangeNotification"
		oversized  = "OversizedConfigurationItemChangeNotification"
	)
	tests := []struct {
		file string
		want []Trigger
	}{{
		// SNS → SQS, Message as a JSON string: a rule opening port 23.
		file: "sns-ec2-security-group-update.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-77707e10",
			ARN:       "arn:aws:ec2:us-east-1:123456789012:security-group/sg-77707e10",
			EventName: itemChange, EventID: "8", EventTime: at("2015-09-16T21:48:57.411Z"),
		}},
	}, {
		// SNS with Message as an object, as the Config guide prints it.
		file: "sns-docs-ec2-security-group-created-message-object.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-2",
			ResourceType: "aws_security_group", ResourceID: "sg-3f1fef43",
			ARN:       "arn:aws:ec2:us-east-2:123456789012:security-group/sg-3f1fef43",
			EventName: itemChange, EventID: "1484002215156", EventTime: at("2017-01-09T22:50:15.156Z"),
		}},
	}, {
		// Raw delivery: the notification itself is the body.
		file: "raw-s3-bucket-public-access-block-update.json",
		want: []Trigger{{
			Source: "config", Account: "123456789987", Region: "eu-central-1",
			ResourceType: "aws_s3_bucket", ResourceID: "lr-testbucket-12345678", ARN: "arn:aws:s3:::lr-testbucket-12345678",
			EventName: itemChange, EventID: "1234567890123", EventTime: at("2020-07-28T07:05:50.333Z"),
		}},
	}, {
		file: "raw-s3-bucket-deleted.json",
		want: []Trigger{{
			Source: "config", Account: "123456789000", Region: "eu-central-1",
			ResourceType: "aws_s3_bucket", ResourceID: "lr-testbucket-11111111111", ARN: "arn:aws:s3:::lr-testbucket-11111111111",
			EventName: itemChange, EventID: "1234567890123", EventTime: at("2020-07-28T06:59:49.360Z"),
			Deleted: true,
		}},
	}, {
		// EventBridge: the same notification as the detail. The item's
		// account and region win over the envelope's.
		file: "assembled-eventbridge-s3-bucket-public-access-block-update.json",
		want: []Trigger{{
			Source: "config", Account: "123456789987", Region: "eu-central-1",
			ResourceType: "aws_s3_bucket", ResourceID: "lr-testbucket-12345678", ARN: "arn:aws:s3:::lr-testbucket-12345678",
			EventName: itemChange, EventID: "1234567890123", EventTime: at("2020-07-28T07:05:50.333Z"),
		}},
	}, {
		file: "eventbridge-ec2-instance-created.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_instance", ResourceID: "i-12345678901234567", ARN: "arn:aws:ec2:us-east-1:123456789012:instance/i-12345678901234567",
			EventName: itemChange, EventID: "1525278055108", EventTime: at("2018-05-02T16:20:55.108Z"),
		}},
	}, {
		// Oversized: the identity comes from the summary, the item is in S3.
		file: "edited-sns-oversized-ec2-security-group.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-2",
			ResourceType: "aws_security_group", ResourceID: "sg-3f1fef43",
			ARN:       "arn:aws:ec2:us-east-2:123456789012:security-group/sg-3f1fef43",
			EventName: oversized, EventID: "1484002215156", EventTime: at("2017-01-09T22:50:15.156Z"),
			Oversized: &OversizedRef{
				ConfigType: "AWS::EC2::SecurityGroup", ConfigID: "sg-3f1fef43", CaptureTime: at("2017-01-09T22:50:15.156Z"),
				S3Bucket: "config-bucket-123456789012-ohio",
				S3Key:    "AWSLogs/123456789012/Config/us-east-2/2017/1/9/OversizedChangeNotification/AWS::EC2::SecurityGroup/sg-3f1fef43/123456789012_Config_us-east-2_ChangeNotification_AWS::EC2::SecurityGroup_sg-3f1fef43_20170109T225015Z_0.json.gz",
			},
		}},
	}, {
		file: "raw-docs-oversized-ec2-instance.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_instance", ResourceID: "resourceId_14b76876-7969-4097-ab8e-a31942b02e80",
			ARN:       "arn:aws:ec2:us-west-2:123456789012:instance/resourceId_14b76876-7969-4097-ab8e-a31942b02e80",
			EventName: oversized, EventID: "0", EventTime: at("2016-10-06T16:46:16.261Z"),
			Oversized: &OversizedRef{
				ConfigType: "AWS::EC2::Instance", ConfigID: "resourceId_14b76876-7969-4097-ab8e-a31942b02e80", CaptureTime: at("2016-10-06T16:46:16.261Z"),
				S3Bucket: "amzn-s3-demo-bucket",
				S3Key:    "AWSLogs/123456789012/Config/us-west-2/2016/10/6/OversizedChangeNotification/AWS::EC2::Instance/resourceId_14b76876-7969-4097-ab8e-a31942b02e80/123456789012_Config_us-west-2_ChangeNotification_AWS::EC2::Instance_resourceId_14b76876-7969-4097-ab8e-a31942b02e80_20161006T164616Z_0.json.gz",
			},
		}},
	}, {
		file: "raw-docs-oversized-delivery-failed-ec2-instance.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_instance", ResourceID: "test_resourceId_014b953d-75e3-40ce-96b9-c7240b975457",
			ARN:       "arn:aws:ec2:us-west-2:123456789012:instance/test_resourceId_014b953d-75e3-40ce-96b9-c7240b975457",
			EventName: "OversizedConfigurationItemChangeDeliveryFailed", EventID: "0", EventTime: at("2016-10-06T16:46:13.749Z"),
			Oversized: &OversizedRef{
				ConfigType: "AWS::EC2::Instance", ConfigID: "test_resourceId_014b953d-75e3-40ce-96b9-c7240b975457", CaptureTime: at("2016-10-06T16:46:13.749Z"),
				DeliveryError: "NoSuchBucket: Failed to deliver notification to bucket: bucket-example for account 123456789012 in region us-west-2.",
			},
		}},
	}, {
		file: "eventbridge-oversized-ssm-managed-instance-inventory.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-1",
			ResourceID: "mi-1234567890123456", ARN: "arn:aws:ssm:us-east-1:123456789012:managed-instance-inventory/mi-1234567890123456",
			EventName: oversized, EventID: "1526538700400", EventTime: at("2018-05-17T06:31:40.400Z"),
			Ignored: true, Reason: "unsupported event config/AWS::SSM::ManagedInstanceInventory",
		}},
	}, {
		file: "sns-docs-configuration-snapshot-delivery-completed.json",
		want: []Trigger{{
			Source: "config", EventName: "ConfigurationSnapshotDeliveryCompleted",
			Ignored: true, Reason: "unsupported event config/ConfigurationSnapshotDeliveryCompleted",
		}},
	}, {
		file: "sns-docs-configuration-history-delivery-completed.json",
		want: []Trigger{{
			Source: "config", EventName: "ConfigurationHistoryDeliveryCompleted",
			Ignored: true, Reason: "unsupported event config/ConfigurationHistoryDeliveryCompleted",
		}},
	}, {
		// The 2014 format: configurationItems as a list, lower-case arn,
		// accountId, a resource type in capitals, no awsRegion.
		file: "sns-docs-legacy-ebs-volume-attached-items-array.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012",
			ResourceID: "vol-ce676ccc", ARN: "arn:aws:us-west-2b:123456789012:volume/vol-ce676ccc",
			EventName: itemChange, EventID: "3e660fdf-4e34-4f32-afeb-0ace5bf3d63a", EventTime: at("2014-03-07T23:47:08.918Z"),
			Ignored: true, Reason: "unsupported event config/AWS::EC2::VOLUME",
		}},
	}}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixtureIn(t, configFixtureDir, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNamesIn(t, configFixtureDir) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// configNotification takes the Config notification out of however a fixture
// delivers it.
func configNotification(t *testing.T, body []byte) []byte {
	t.Helper()
	doc := decode(t, body)
	switch {
	case doc["Message"] != nil:
		if s, ok := doc["Message"].(string); ok {
			return []byte(s)
		}
		return encode(t, doc["Message"])
	case doc["detail"] != nil:
		return encode(t, doc["detail"])
	}
	return body
}

// A Config notification gives the same Triggers however it arrives: raw,
// through SNS with Message as a string or an object, or from EventBridge.
func TestParseConfigDeliveriesAgree(t *testing.T) {
	for _, name := range fixtureNamesIn(t, configFixtureDir) {
		t.Run(name, func(t *testing.T) {
			want, err := Parse(fixtureIn(t, configFixtureDir, name))
			if err != nil {
				t.Fatal(err)
			}
			notification := configNotification(t, fixtureIn(t, configFixtureDir, name))
			for shape, body := range map[string][]byte{
				"raw":              notification,
				"SNS string":       snsWrap(t, notification, true),
				"SNS object":       snsWrap(t, notification, false),
				"EventBridge":      eventBridgeWrap(t, "Config Configuration Item Change", notification),
				"EventBridge, SNS": snsWrap(t, eventBridgeWrap(t, "Config Configuration Item Change", notification), true),
			} {
				got, err := Parse(body)
				if err != nil {
					t.Fatalf("%s: %v", shape, err)
				}
				if strings.HasPrefix(shape, "EventBridge") && want[0].ResourceID == "" {
					// A message that names no resource takes what it
					// lacks from the envelope.
					for i := range got {
						got[i].Account, got[i].Region, got[i].EventTime = want[i].Account, want[i].Region, want[i].EventTime
					}
				}
				if strings.HasPrefix(shape, "EventBridge") && name == "sns-docs-legacy-ebs-volume-attached-items-array.json" {
					got[0].Region = "" // the 2014 item has no awsRegion of its own
				}
				if g, w := lines(t, got), lines(t, want); g != w {
					t.Errorf("%s differs\n got:\n%s want:\n%s", shape, g, w)
				}
			}
		})
	}
}

// Shapes of configuration items the fixtures do not show.
func TestParseConfigItems(t *testing.T) {
	item := func(fields string) string {
		return `{"messageType":"ConfigurationItemChangeNotification","configurationItem":{` +
			`"awsAccountId":"123456789012","awsRegion":"eu-west-1","configurationItemCaptureTime":"2025-03-04T10:00:00Z",` + fields + `}}`
	}
	base := Trigger{Source: "config", Account: "123456789012", Region: "eu-west-1",
		EventName: "ConfigurationItemChangeNotification", EventTime: at("2025-03-04T10:00:00Z")}
	with := func(typ, id, arn string, edit ...func(*Trigger)) Trigger {
		t := base
		t.ResourceType, t.ResourceID, t.ARN = typ, id, arn
		for _, e := range edit {
			e(&t)
		}
		return t
	}
	tests := []struct {
		name string
		body string
		want Trigger
	}{{
		name: "IAM role: the name, a path-less ARN, region global",
		body: strings.Replace(item(`"resourceType":"AWS::IAM::Role","resourceId":"AROAEXAMPLEID","resourceName":"deploy",`+
			`"ARN":"arn:aws:iam::123456789012:role/service-role/deploy"`), `"eu-west-1"`, `"global"`, 1),
		want: with("aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", func(t *Trigger) { t.Region = "us-east-1" }),
	}, {
		name: "IAM user named only by its ARN",
		body: item(`"resourceType":"AWS::IAM::User","resourceId":"AIDAEXAMPLEID","ARN":"arn:aws:iam::123456789012:user/ops/alice"`),
		want: with("aws_iam_user", "alice", "arn:aws:iam::123456789012:user/alice"),
	}, {
		name: "IAM group",
		body: item(`"resourceType":"AWS::IAM::Group","resourceId":"AGPAEXAMPLEID","resourceName":"admins"`),
		want: with("aws_iam_group", "admins", "arn:aws:iam::123456789012:group/admins"),
	}, {
		name: "RDS instance: the identifier, not the DbiResourceId",
		body: item(`"resourceType":"AWS::RDS::DBInstance","resourceId":"db-ABCDEFGHIJKL","resourceName":"orders",` +
			`"ARN":"arn:aws:rds:eu-west-1:123456789012:db:orders"`),
		want: with("aws_db_instance", "orders", "arn:aws:rds:eu-west-1:123456789012:db:orders"),
	}, {
		name: "RDS instance without ARN",
		body: item(`"resourceType":"AWS::RDS::DBInstance","resourceId":"db-ABCDEFGHIJKL","resourceName":"orders"`),
		want: with("aws_db_instance", "orders", "arn:aws:rds:eu-west-1:123456789012:db:orders"),
	}, {
		name: "CloudTrail trail given by ARN as its id",
		body: item(`"resourceType":"AWS::CloudTrail::Trail","resourceId":"arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"`),
		want: with("aws_cloudtrail", "main", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"),
	}, {
		name: "KMS key without ARN",
		body: item(`"resourceType":"AWS::KMS::Key","resourceId":"1234abcd-12ab-34cd-56ef-1234567890ab"`),
		want: with("aws_kms_key", "1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
	}, {
		name: "security group with a junk ARN: built instead",
		body: item(`"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0a1","ARN":"some-arn"`),
		want: with("aws_security_group", "sg-0a1", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1"),
	}, {
		name: "bucket named only by resourceId",
		body: item(`"resourceType":"AWS::S3::Bucket","resourceId":"logs"`),
		want: with("aws_s3_bucket", "logs", "arn:aws:s3:::logs"),
	}, {
		name: "deleted and no longer recorded",
		body: item(`"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0b2","configurationItemStatus":"ResourceDeletedNotRecorded"`),
		want: with("aws_security_group", "sg-0b2", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0b2", func(t *Trigger) { t.Deleted = true }),
	}, {
		name: "not recorded any more, but still there",
		body: item(`"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0c3","configurationItemStatus":"ResourceNotRecorded"`),
		want: with("aws_security_group", "sg-0c3", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0c3"),
	}, {
		name: "numbers and odd case",
		body: `{"MessageType":"ConfigurationItemChangeNotification","configurationitem":{"AWSAccountId":123456789012,"awsregion":["eu-west-1"],` +
			`"configurationItemCaptureTime":"2025-03-04T10:00:00Z","configurationStateId":17,"resourcetype":"aws::ec2::securitygroup","resourceid":"sg-0d4"}}`,
		want: with("aws_security_group", "sg-0d4", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0d4", func(t *Trigger) { t.EventID = "17" }),
	}, {
		name: "configurationItem as a one-element list, no messageType",
		body: `{"configurationItem":[{"awsAccountId":"123456789012","awsRegion":"eu-west-1","configurationItemCaptureTime":"2025-03-04T10:00:00Z",` +
			`"resourceType":"AWS::S3::Bucket","resourceName":"b"}]}`,
		want: with("aws_s3_bucket", "b", "arn:aws:s3:::b"),
	}, {
		name: "no capture time: the notification's",
		body: `{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":"2025-03-04T10:00:00.5Z",` +
			`"configurationItem":{"awsAccountId":"123456789012","awsRegion":"eu-west-1","resourceType":"AWS::S3::Bucket","resourceName":"b"}}`,
		want: with("aws_s3_bucket", "b", "arn:aws:s3:::b", func(t *Trigger) { t.EventTime = at("2025-03-04T10:00:00.5Z") }),
	}, {
		name: "oversized, s3:// location",
		body: `{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":{"awsAccountId":"123456789012",` +
			`"awsRegion":"eu-west-1","configurationItemCaptureTime":"2025-03-04T10:00:00Z","resourceType":"AWS::IAM::Role",` +
			`"resourceId":"AROAEXAMPLEID","resourceName":"deploy"},"s3DeliverySummary":{"s3BucketLocation":"s3://cfg/AWSLogs/x.json.gz"}}`,
		want: with("aws_iam_role", "deploy", "arn:aws:iam::123456789012:role/deploy", func(t *Trigger) {
			t.EventName = "OversizedConfigurationItemChangeNotification"
			t.Oversized = &OversizedRef{ConfigType: "AWS::IAM::Role", ConfigID: "AROAEXAMPLEID", CaptureTime: at("2025-03-04T10:00:00Z"),
				S3Bucket: "cfg", S3Key: "AWSLogs/x.json.gz"}
		}),
	}, {
		name: "oversized, delivery failed",
		body: `{"messageType":"OversizedConfigurationItemChangeDeliveryFailed","configurationItemSummary":{"awsAccountId":"123456789012",` +
			`"awsRegion":"eu-west-1","configurationItemCaptureTime":"2025-03-04T10:00:00Z","resourceType":"AWS::EC2::SecurityGroup",` +
			`"resourceId":"sg-0e5"},"s3DeliverySummary":{"s3BucketLocation":null,"errorCode":"NoSuchBucket","errorMessage":"Failed to deliver"}}`,
		want: with("aws_security_group", "sg-0e5", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0e5", func(t *Trigger) {
			t.EventName = "OversizedConfigurationItemChangeDeliveryFailed"
			t.Oversized = &OversizedRef{ConfigType: "AWS::EC2::SecurityGroup", ConfigID: "sg-0e5", CaptureTime: at("2025-03-04T10:00:00Z"),
				DeliveryError: "NoSuchBucket: Failed to deliver"}
		}),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			assertTriggers(t, got, []Trigger{tt.want})
		})
	}
}

// Config messages that change nothing, however they arrive.
func TestParseConfigIgnores(t *testing.T) {
	tests := []struct {
		name, body, reason string
	}{
		{"compliance change from EventBridge", string(eventBridgeWrap(t, "Config Rules Compliance Change",
			[]byte(`{"messageType":"ComplianceChangeNotification","resourceType":"AWS::S3::Bucket","resourceId":"b"}`))),
			"unsupported event config/ComplianceChangeNotification"},
		{"delivery status from EventBridge, no messageType", string(eventBridgeWrap(t, "Config Configuration Snapshot Delivery Status",
			[]byte(`{"s3Bucket":"b"}`))), "unsupported event config/Config Configuration Snapshot Delivery Status"},
		{"snapshot started, raw", `{"messageType":"ConfigurationSnapshotDeliveryStarted","configSnapshotId":"x"}`,
			"unsupported event config/ConfigurationSnapshotDeliveryStarted"},
		{"rules evaluation started with a junk time", `{"messageType":"ConfigRulesEvaluationStarted","notificationCreationTime":"soon"}`,
			"unsupported event config/ConfigRulesEvaluationStarted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || !ts[0].Ignored || ts[0].Reason != tt.reason || ts[0].Source != SourceConfig ||
				ReasonCategory(ts[0].Reason) != CategoryUnsupported {
				t.Errorf("got %s want one ignored Config trigger with reason %q", lines(t, ts), tt.reason)
			}
		})
	}
}

// The Trigger's JSON carries the oversized reference for the starter.
func TestOversizedJSON(t *testing.T) {
	ts, err := Parse(fixtureIn(t, configFixtureDir, "edited-sns-oversized-ec2-security-group.json"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(ts[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"oversized":{"config_type":"AWS::EC2::SecurityGroup","config_id":"sg-3f1fef43","capture_time":"2017-01-09T22:50:15.156Z","s3_bucket":"config-bucket-123456789012-ohio","s3_key":"AWSLogs/`} {
		if !strings.Contains(string(j), key) {
			t.Errorf("%s lacks %s", j, key)
		}
	}
	// A Trigger without one says nothing about it.
	ts, _ = Parse(fixtureIn(t, configFixtureDir, "raw-s3-bucket-deleted.json"))
	if j, _ := json.Marshal(ts[0]); strings.Contains(string(j), "oversized") {
		t.Errorf("%s mentions oversized", j)
	}
}
