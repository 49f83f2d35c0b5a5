package events

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseFixtures(t *testing.T) {
	const (
		elasticUser  = "arn:aws:iam::123456789012:user/test@elastic.co"
		ec2Session   = "arn:aws:sts::123456789012:assumed-role/ec2-instance-role/i-06815aa7cf7d21f8f"
		ec2Role      = "arn:aws:iam::123456789012:role/ec2-instance-role"
		stratusUser  = "arn:aws:iam::123456789012:user/christophe"
		testerActor  = "arn:aws:sts::123456789012:assumed-role/tester"
		testerIssuer = "arn:aws:iam::123456789012:role/tester"
	)
	tests := []struct {
		file string
		want []Trigger
	}{{
		file: "eventbridge-s3-put-bucket-public-access-block.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111111111111", Region: "us-west-2",
			ResourceType: "aws_s3_bucket", ResourceID: "austin-panther", ARN: "arn:aws:s3:::austin-panther",
			EventName: "PutBucketPublicAccessBlock", EventID: "43258a7e-eef1-44ef-9aff-1e5b4cfd825d",
			ActorARN:  "arn:aws:sts::111111111111:assumed-role/PantherDevAustinAdministrator/austin_byers",
			IssuerARN: "arn:aws:iam::111111111111:role/PantherDevAustinAdministrator",
			EventTime: at("2019-08-01T04:41:47Z"),
		}},
	}, {
		file: "handwritten-eventbridge-ec2-revoke-security-group-ingress-by-remediation.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "eu-west-1",
			ResourceType: "aws_security_group", ResourceID: "sg-0a1b2c3d4e5f67890",
			ARN:       "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f67890",
			EventName: "RevokeSecurityGroupIngress", EventID: "7d3c9b1a-2e4f-4a6b-8c0d-1e2f3a4b5c6d",
			ActorARN:  "arn:aws:sts::123456789012:assumed-role/rectify-remediation/rectify-ec2_revoke_ingress",
			IssuerARN: "arn:aws:iam::123456789012:role/rectify-remediation",
			EventTime: at("2025-03-04T10:15:30Z"),
		}},
	}, {
		file: "handwritten-raw-s3-delete-bucket-public-access-block.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "eu-west-1",
			ResourceType: "aws_s3_bucket", ResourceID: "example-reports", ARN: "arn:aws:s3:::example-reports",
			EventName: "DeleteBucketPublicAccessBlock", EventID: "0b9e8d7c-6f5a-4e3d-9c2b-1a0f9e8d7c6b",
			ActorARN: "arn:aws:iam::123456789012:user/alice", EventTime: at("2025-03-04T09:02:11Z"),
		}},
	}, {
		file: "logfile-iam-create-admin-user.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "ap-isob-central-3r",
			ResourceType: "aws_iam_user", ResourceID: "malicious-iam-user",
			ARN:       "arn:aws:iam::123456789012:user/malicious-iam-user",
			EventName: "AttachUserPolicy", EventID: "083dc4ad-e264-46bc-a407-d0dd31b58bdc",
			ActorARN: stratusUser, EventTime: at("2024-08-01T13:33:28Z"),
		}, {
			// A new key changes what IAM.3 judges of the user.
			Source: "cloudtrail", Account: "123456789012", Region: "ap-isob-central-3r",
			ResourceType: "aws_iam_user", ResourceID: "malicious-iam-user",
			ARN:       "arn:aws:iam::123456789012:user/malicious-iam-user",
			EventName: "CreateAccessKey", EventID: "94faedcc-0fa4-46e6-9322-022e8e934f04",
			ActorARN: stratusUser, EventTime: at("2024-08-01T13:33:28Z"),
		}, {
			Source: "cloudtrail", Account: "123456789012", Region: "ap-isob-central-3r",
			EventName: "CreateUser", EventID: "3346344c-5a3e-429e-8405-420f98f75d6e",
			ActorARN: stratusUser, EventTime: at("2024-08-01T13:33:28Z"),
			Ignored: true, Reason: "unsupported event iam.amazonaws.com/CreateUser",
		}},
	}, {
		file: "raw-ec2-authorize-security-group-egress.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-038ccc3a1f7b05f42",
			ARN:       "arn:aws:ec2:us-east-1:123456789012:security-group/sg-038ccc3a1f7b05f42",
			EventName: "AuthorizeSecurityGroupEgress", EventID: "72a37ea2-cbf9-47bf-9ae0-0149d8acbbbc",
			ActorARN: ec2Session, IssuerARN: ec2Role, EventTime: at("2024-10-30T19:54:35Z"),
		}},
	}, {
		// Panther's normalised record: lower-case sessionissuer, a
		// space-separated eventTime, and an errorCode.
		file: "raw-ec2-authorize-security-group-ingress-failed.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "112233445566", Region: "us-west-2",
			ResourceType: "aws_security_group", ResourceID: "sg-04f0b44316f7d2471",
			ARN:       "arn:aws:ec2:us-west-2:112233445566:security-group/sg-04f0b44316f7d2471",
			EventName: "AuthorizeSecurityGroupIngress", EventID: "504b492f-7832-406b-a4fd-45a13e48adc4",
			ActorARN:  "arn:aws:sts::112233445566:assumed-role/TestAdmin/alan",
			IssuerARN: "arn:aws:iam::112233445566:role/TestAdmin",
			EventTime: at("2021-01-24T04:55:45Z"),
			Ignored:   true, Reason: "failed call: UnauthorizedOperation",
		}},
	}, {
		file: "raw-ec2-authorize-security-group-ingress-legacy-parameters.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-northeast-1r",
			ResourceType: "aws_security_group", ResourceID: "sg-003dc7f1f1c686164",
			ARN:       "arn:aws:ec2:us-northeast-1r:123456789012:security-group/sg-003dc7f1f1c686164",
			EventName: "AuthorizeSecurityGroupIngress", EventID: "9fd68588-ecbf-4528-a345-199fa6bb0821",
			ActorARN: stratusUser, EventTime: at("2024-08-01T12:23:55Z"),
		}},
	}, {
		file: "raw-ec2-authorize-security-group-ingress.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-0f63fecfa17ef4fee",
			ARN:       "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0f63fecfa17ef4fee",
			EventName: "AuthorizeSecurityGroupIngress", EventID: "c409b898-91e4-44d5-a994-68741a8a0212",
			ActorARN: elasticUser, EventTime: at("2024-10-14T14:11:38Z"),
		}},
	}, {
		file: "raw-ec2-create-security-group.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "112233445566", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-04d018d184a18f647",
			ARN:       "arn:aws:ec2:us-east-1:112233445566:security-group/sg-04d018d184a18f647",
			EventName: "CreateSecurityGroup", EventID: "52601748-2659-4ed8-b5fd-c530547b07ec",
			ActorARN:  "arn:aws:sts::112233445566:assumed-role/Operator/ryan@example.com",
			IssuerARN: "arn:aws:iam::112233445566:role/Operator",
			EventTime: at("2020-04-30T23:51:06Z"),
		}},
	}, {
		// A trimmed record: no actor, no time, no id; it tags an instance
		// and a volume, which is no kind.
		file: "raw-ec2-create-tags-not-security-groups.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_instance", ResourceID: "i-0dc224bad2cb08740",
			ARN: "arn:aws:ec2:us-west-2:123456789012:instance/i-0dc224bad2cb08740", EventName: "CreateTags",
		}, {
			Source: "cloudtrail", Account: "123456789012", Region: "us-west-2",
			ResourceID: "vol-0f9e1b2c3d4e5f6a7", EventName: "CreateTags",
			Ignored: true, Reason: "unsupported event ec2.amazonaws.com/CreateTags (vol-0f9e1b2c3d4e5f6a7: not a security group or EBS snapshot or subnet or EC2 instance or VPC id or ARN)",
		}},
	}, {
		file: "raw-iam-attach-group-policy.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_iam_group", ResourceID: "TestGroupPolicy",
			ARN:       "arn:aws:iam::123456789012:group/TestGroupPolicy",
			EventName: "AttachGroupPolicy", EventID: "6bf9a009-b248-415d-a8a9-63b7fe5621c0",
			ActorARN: elasticUser, EventTime: at("2024-10-08T14:12:17Z"),
		}},
	}, {
		file: "raw-iam-attach-role-policy.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_iam_role", ResourceID: "cloudtrail-role",
			ARN:       "arn:aws:iam::123456789012:role/cloudtrail-role",
			EventName: "AttachRolePolicy", EventID: "57ce487a-26dc-4ed7-a79a-38730c5b1d4b",
			ActorARN: elasticUser, EventTime: at("2024-10-15T08:28:01Z"),
		}},
	}, {
		file: "raw-iam-attach-user-policy.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_iam_user", ResourceID: "pwncloud-backdoor-user",
			ARN:       "arn:aws:iam::123456789012:user/pwncloud-backdoor-user",
			EventName: "AttachUserPolicy", EventID: "48a0efc2-e7b5-48d0-a3d7-38c44cd15525",
			ActorARN: ec2Session, IssuerARN: ec2Role, EventTime: at("2024-10-30T20:01:59Z"),
		}},
	}, {
		file: "raw-s3-delete-bucket.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "777788889999", Region: "us-east-2",
			ResourceType: "aws_s3_bucket", ResourceID: "my-test-bucket-cross-account",
			ARN:       "arn:aws:s3:::my-test-bucket-cross-account",
			EventName: "DeleteBucket", EventID: "dEXAMPLE-265a-41e0-9352-4401bEXAMPLE",
			ActorARN:  "arn:aws:sts::777788889999:assumed-role/AssumeNothing/devdsk",
			IssuerARN: "arn:aws:iam::777788889999:role/AssumeNothing",
			EventTime: at("2016-11-14T17:25:45Z"), Deleted: true,
		}},
	}, {
		file: "raw-s3-get-bucket-policy-read-only.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-2",
			EventName: "GetBucketPolicy", EventID: "d998d8c4-3191-4a8b-b5dd-d7f4ed6f647d",
			ActorARN:  "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe",
			IssuerARN: "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
			EventTime: at("2024-11-01T14:43:10Z"),
			Ignored:   true, Reason: "read-only call",
		}},
	}, {
		file: "raw-s3-put-bucket-acl-failed.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_s3_bucket", ResourceID: "bucket", ARN: "arn:aws:s3:::bucket",
			EventName: "PutBucketAcl", EventID: "1",
			ActorARN: testerActor, IssuerARN: testerIssuer, EventTime: at("2019-01-01T00:00:00Z"),
			Ignored: true, Reason: "failed call: AccessDenied",
		}},
	}, {
		file: "raw-s3-put-bucket-acl.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_s3_bucket", ResourceID: "bucket", ARN: "arn:aws:s3:::bucket",
			EventName: "PutBucketAcl", EventID: "1",
			ActorARN: testerActor, IssuerARN: testerIssuer, EventTime: at("2019-01-01T00:00:00Z"),
		}},
	}, {
		file: "raw-s3-put-bucket-versioning-unsupported.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			EventName: "PutBucketVersioning", EventID: "b03b0a3d-44bf-4e9e-bf1d-393c95e52d83",
			ActorARN: elasticUser, EventTime: at("2024-10-14T14:25:17Z"),
			Ignored: true, Reason: "unsupported event s3.amazonaws.com/PutBucketVersioning",
		}},
	}}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixture(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNames(t) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// The same record must give the same Triggers however it arrives: raw, in an
// EventBridge envelope, or in a log file.
func TestParseShapesAgree(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			body := fixture(t, name)
			doc := decode(t, body)
			var records []json.RawMessage
			switch {
			case strings.HasPrefix(name, "logfile-"):
				for _, r := range doc["Records"].([]any) {
					records = append(records, encode(t, r))
				}
			case doc["detail"] != nil:
				records = []json.RawMessage{encode(t, doc["detail"])}
			default:
				records = []json.RawMessage{body}
			}
			want, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}

			var fromRaw, fromEnvelope []Trigger
			for _, r := range records {
				ts, err := Parse(r)
				if err != nil {
					t.Fatalf("raw: %v", err)
				}
				fromRaw = append(fromRaw, ts...)
				// An envelope whose own fields disagree with the record:
				// the record must win.
				ts, err = Parse(wrap(t, r, "999999999999", "ap-south-2", "2030-01-01T00:00:00Z"))
				if err != nil {
					t.Fatalf("envelope: %v", err)
				}
				fromEnvelope = append(fromEnvelope, ts...)
			}
			logFile := encode(t, map[string]any{"Records": records})
			fromLogFile, err := Parse(logFile)
			if err != nil {
				t.Fatalf("log file: %v", err)
			}

			if name == "raw-ec2-create-tags-not-security-groups.json" {
				// This record has no eventTime; only an envelope supplies one.
				for i := range fromEnvelope {
					fromEnvelope[i].EventTime = want[i].EventTime
				}
			}
			assertTriggers(t, fromRaw, want)
			assertTriggers(t, fromEnvelope, want)
			assertTriggers(t, fromLogFile, want)
		})
	}
}

// The envelope fills in what a record leaves out; the caller's account is
// the last resort because a cross-account caller does not own the resource.
func TestParseFallbacks(t *testing.T) {
	base := decode(t, fixture(t, "raw-iam-attach-role-policy.json"))
	delete(base, "recipientAccountId")
	delete(base, "awsRegion")
	delete(base, "eventTime")

	got, err := Parse(wrap(t, encode(t, base), "210987654321", "eu-north-1", "2024-10-15T08:28:05Z"))
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0]; g.Account != "210987654321" || g.Region != "eu-north-1" || !g.EventTime.Equal(at("2024-10-15T08:28:05Z")) ||
		g.ARN != "arn:aws:iam::210987654321:role/cloudtrail-role" {
		t.Errorf("envelope fallbacks not used: %+v", g)
	}

	base["awsRegion"] = "us-east-1"
	got, err = Parse(encode(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0]; g.Account != "123456789012" || !g.EventTime.IsZero() {
		t.Errorf("userIdentity.accountId not used: %+v", g)
	}
}

func TestParseIgnores(t *testing.T) {
	tests := []struct {
		name   string
		record string
		reason string
	}{
		{"readOnly true", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","readOnly":true,"requestParameters":{"groupId":"sg-1"}}`, "read-only call"},
		{"readOnly as string", `{"eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","readOnly":"TRUE","requestParameters":{"userName":"u"}}`, "read-only call"},
		{"Describe without readOnly", `{"eventSource":"ec2.amazonaws.com","eventName":"DescribeSecurityGroups"}`, "read-only call"},
		{"List", `{"eventSource":"iam.amazonaws.com","eventName":"ListRoles"}`, "read-only call"},
		{"Head", `{"eventSource":"s3.amazonaws.com","eventName":"HeadBucket"}`, "read-only call"},
		{"failed beats read-only", `{"eventSource":"s3.amazonaws.com","eventName":"GetBucketAcl","errorCode":"NoSuchBucket"}`, "failed call: NoSuchBucket"},
		{"failed and too thin to name its resource", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateSecurityGroup","errorCode":"Client.InvalidGroup.Duplicate","responseElements":null}`, "failed call: Client.InvalidGroup.Duplicate"},
		{"unknown service", `{"eventSource":"inspector2.amazonaws.com","eventName":"Disable"}`, "unsupported event inspector2.amazonaws.com/Disable"},
		{"unsupported call of a known service, junk parameters", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateVolume","requestParameters":42}`, "unsupported event ec2.amazonaws.com/CreateVolume"},
		{"unsupported call without account", `{"eventSource":"iam.amazonaws.com","eventName":"CreateRole"}`, "unsupported event iam.amazonaws.com/CreateRole"},
		{"group given by name only", `{"eventSource":"ec2.amazonaws.com","eventName":"RevokeSecurityGroupIngress","awsRegion":"us-east-1","recipientAccountId":"123456789012","requestParameters":{"groupName":"default"}}`,
			"unsupported event ec2.amazonaws.com/RevokeSecurityGroupIngress (default: not a security group id or ARN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Parse([]byte(tt.record))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || !ts[0].Ignored || ts[0].Reason != tt.reason {
				t.Errorf("got %s want one ignored trigger with reason %q", lines(t, ts), tt.reason)
			}
		})
	}
}

// Shapes of security group calls the fixtures do not show.
func TestParseSecurityGroupCalls(t *testing.T) {
	const head = `"eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"123456789012",`
	sg := func(id string) Trigger {
		return Trigger{ResourceType: "aws_security_group", ResourceID: id,
			ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/" + id}
	}
	tests := []struct {
		name   string
		record string
		want   []Trigger
	}{{
		name: "ModifySecurityGroupRules nests its request",
		record: `{` + head + `"eventName":"ModifySecurityGroupRules","requestParameters":{"ModifySecurityGroupRulesRequest":` +
			`{"GroupId":"sg-0a1","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1","tag":1}}}}`,
		want: []Trigger{sg("sg-0a1")},
	}, {
		name: "called by group name, id only in the response",
		record: `{` + head + `"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupName":"default","ipPermissions":{}},` +
			`"responseElements":{"securityGroupRuleSet":{"items":[{"groupId":"sg-0b2","securityGroupRuleId":"sgr-2"}]}}}`,
		want: []Trigger{sg("sg-0b2")},
	}, {
		name:   "rule descriptions",
		record: `{` + head + `"eventName":"UpdateSecurityGroupRuleDescriptionsIngress","requestParameters":{"groupId":"sg-0c3"}}`,
		want:   []Trigger{sg("sg-0c3")},
	}, {
		name:   "numbers as strings, arrays as strings",
		record: `{` + head + `"eventName":"RevokeSecurityGroupEgress","requestParameters":{"groupId":["sg-0d4"]}}`,
		want:   []Trigger{sg("sg-0d4")},
	}, {
		name:   "delete",
		record: `{` + head + `"eventName":"DeleteSecurityGroup","requestParameters":{"groupId":"sg-0e5"}}`,
		want:   []Trigger{func() Trigger { t := sg("sg-0e5"); t.Deleted = true; return t }()},
	}, {
		name: "tags on a group and a volume",
		record: `{` + head + `"eventName":"DeleteTags","requestParameters":{"resourcesSet":{"items":[` +
			`{"resourceId":"sg-0f6"},{"resourceId":"vol-0aa"}]},"tagSet":{"items":[{"key":"rectify:exempt"}]}}}`,
		want: []Trigger{sg("sg-0f6"), {ResourceID: "vol-0aa", Ignored: true, Reason: "unsupported event ec2.amazonaws.com/DeleteTags (vol-0aa: not a security group or EBS snapshot or subnet or EC2 instance or VPC id or ARN)"}},
	}, {
		name:   "tags with a single item not wrapped in a list",
		record: `{` + head + `"eventName":"CreateTags","requestParameters":{"resourcesSet":{"items":{"resourceId":"sg-0a7"}}}}`,
		want:   []Trigger{sg("sg-0a7")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.record))
			if err != nil {
				t.Fatal(err)
			}
			name := decode(t, []byte(tt.record))["eventName"].(string)
			for i := range tt.want {
				tt.want[i].Source, tt.want[i].Account, tt.want[i].Region, tt.want[i].EventName =
					"cloudtrail", "123456789012", "us-east-1", name
			}
			assertTriggers(t, got, tt.want)
		})
	}
}

// A UTF-8 byte order mark, as some editors save files, is not an error.
func TestParseByteOrderMark(t *testing.T) {
	body := append([]byte("\xef\xbb\xbf"), fixture(t, "raw-iam-attach-role-policy.json")...)
	if _, err := Parse(body); err != nil {
		t.Fatal(err)
	}
}

// When bucketName is missing, the virtual-hosted Host names the bucket.
func TestParseBucketFromHost(t *testing.T) {
	doc := decode(t, fixture(t, "eventbridge-s3-put-bucket-public-access-block.json"))
	params := doc["detail"].(map[string]any)["requestParameters"].(map[string]any)
	delete(params, "bucketName")
	got, err := Parse(encode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ResourceID != "austin-panther" || got[0].ARN != "arn:aws:s3:::austin-panther" {
		t.Errorf("bucket from host: %s", lines(t, got))
	}

	params["host"] = []any{"s3.us-west-2.amazonaws.com"} // path style: names no bucket
	if _, err := Parse(encode(t, doc)); err == nil || !strings.Contains(err.Error(), "names no S3 bucket") {
		t.Errorf("path-style host: err = %v", err)
	}
}
