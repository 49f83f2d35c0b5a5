package events

import (
	"encoding/json"
	"testing"
)

const (
	ec22Generator = "aws-foundational-security-best-practices/v/1.0.0/EC2.2"
	ec22Finding   = "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.2/finding/835974e0-d335-49a1-af89-e47a5954d46b"
	iam8Generator = "aws-foundational-security-best-practices/v/1.0.0/IAM.8"
	iam8Finding   = "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/IAM.8/finding/7a04a6d5-07ec-4430-ab8f-67c0119b5acd"
)

func TestParseSecurityHubFixtures(t *testing.T) {
	ownARN := "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f67890"
	tests := []struct {
		file string
		want []Trigger
	}{{
		// Two findings, one resource each: the default security group
		// (EC2.2) and an IAM user with unused credentials (IAM.8).
		file: "assembled-imported-ec2-default-sg-and-iam-user.json",
		want: []Trigger{{
			Source: "securityhub", Account: "111111111111", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-1234123f",
			ARN:       "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1234123f",
			EventName: ec22Generator, EventID: ec22Finding, EventTime: at("2021-02-17T08:56:22.772Z"),
		}, {
			Source: "securityhub", Account: "111111111111", Region: "us-east-1",
			ResourceType: "aws_iam_user", ResourceID: "sharrtest", ARN: "arn:aws:iam::111111111111:user/sharrtest",
			EventName: iam8Generator, EventID: iam8Finding, EventTime: at("2021-07-21T10:22:13.254Z"),
		}},
	}, {
		file: "assembled-imported-s3-bucket-passed.json",
		want: []Trigger{{
			Source: "securityhub", Account: "111111111111", Region: "us-east-1",
			ResourceType: "aws_s3_bucket", ResourceID: "so0111-aws-cloudtrail-111111111111",
			ARN:       "arn:aws:s3:::so0111-aws-cloudtrail-111111111111",
			EventName: "aws-foundational-security-best-practices/v/1.0.0/S3.2",
			EventID:   "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.2/finding/ef33c951-94b7-4d92-acd2-99c2a3e3a78a",
			EventTime: at("2021-07-22T15:22:40.888Z"),
			Ignored:   true, Reason: "finding not failed: compliance PASSED",
		}},
	}, {
		file: "handwritten-imported-rectify-own-finding.json",
		want: []Trigger{{
			Source: "securityhub", Account: "123456789012", Region: "eu-west-1",
			ResourceType: "aws_security_group", ResourceID: "sg-0a1b2c3d4e5f67890", ARN: ownARN,
			EventName: "rectify/aws.ec2.sg_public_admin_ports", EventID: "rectify/aws.ec2.sg_public_admin_ports/" + ownARN,
			EventTime: at("2025-03-04T10:15:42.871Z"),
			Ignored:   true, Reason: "own finding rectify/aws.ec2.sg_public_admin_ports",
		}},
	}}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixtureIn(t, securityHubFixtureDir, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNamesIn(t, securityHubFixtureDir) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// editFinding returns the two-finding fixture with its first finding edited.
func editFinding(t *testing.T, edit func(f map[string]any)) []byte {
	t.Helper()
	doc := decode(t, fixtureIn(t, securityHubFixtureDir, "assembled-imported-ec2-default-sg-and-iam-user.json"))
	findings := doc["detail"].(map[string]any)["findings"].([]any)
	edit(findings[0].(map[string]any))
	return encode(t, doc)
}

// Findings that call for no evaluation; the other finding in the event
// still does.
func TestParseSecurityHubIgnores(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(f map[string]any)
		reason   string
		category string
	}{
		{"archived", func(f map[string]any) { f["RecordState"] = "ARCHIVED" }, "finding not failed: record ARCHIVED", CategoryNotFailed},
		{"resolved", func(f map[string]any) { f["Workflow"] = map[string]any{"Status": "RESOLVED"} }, "finding not failed: workflow RESOLVED", CategoryNotFailed},
		{"suppressed, lower case", func(f map[string]any) { f["Workflow"] = map[string]any{"status": "suppressed"} }, "finding not failed: workflow SUPPRESSED", CategoryNotFailed},
		{"legacy WorkflowState only", func(f map[string]any) { delete(f, "Workflow"); f["WorkflowState"] = "RESOLVED" }, "finding not failed: workflow RESOLVED", CategoryNotFailed},
		{"passed", func(f map[string]any) { f["Compliance"] = map[string]any{"Status": "PASSED"} }, "finding not failed: compliance PASSED", CategoryNotFailed},
		{"ours by its workflow only", func(f map[string]any) {
			f["ProductFields"].(map[string]any)["rectify/WorkflowId"] = "remediation/p/arn"
		}, "own finding " + ec22Generator, CategoryOwnFinding},
		{"ours and passed: ours wins", func(f map[string]any) {
			f["GeneratorId"] = "rectify/aws.ec2.sg_public_admin_ports"
			f["Compliance"] = map[string]any{"Status": "PASSED"}
		}, "own finding rectify/aws.ec2.sg_public_admin_ports", CategoryOwnFinding},
		{"ignored even when its resources are odd", func(f map[string]any) {
			f["RecordState"] = "ARCHIVED"
			f["Resources"] = []any{"not an object", map[string]any{"Type": "AwsEc2SecurityGroup"}}
		}, "finding not failed: record ARCHIVED", CategoryNotFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Parse(editFinding(t, tt.edit))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 2 || !ts[0].Ignored || ts[0].Reason != tt.reason || ReasonCategory(ts[0].Reason) != tt.category ||
				ts[1].Ignored || ts[1].ResourceID != "sharrtest" {
				t.Errorf("got:\n%s want the first ignored with %q, the second live", lines(t, ts), tt.reason)
			}
		})
	}
}

// Findings without compliance data (GuardDuty, Inspector) and with
// WARNING or NOT_AVAILABLE compliance still name resources to evaluate.
func TestParseSecurityHubOtherStatuses(t *testing.T) {
	for _, edit := range []func(f map[string]any){
		func(f map[string]any) { delete(f, "Compliance") },
		func(f map[string]any) { f["Compliance"] = map[string]any{"Status": "WARNING"} },
		func(f map[string]any) { f["Compliance"] = map[string]any{"Status": "NOT_AVAILABLE"} },
		func(f map[string]any) { f["Workflow"] = map[string]any{"Status": "NOTIFIED"} },
	} {
		ts, err := Parse(editFinding(t, edit))
		if err != nil {
			t.Fatal(err)
		}
		if ts[0].Ignored {
			t.Errorf("ignored: %+v", ts[0])
		}
	}
}

// Resources the fixtures do not show: bare ids, paths, details, other
// accounts, other types.
func TestParseSecurityHubResources(t *testing.T) {
	base := Trigger{Source: "securityhub", Account: "111111111111", Region: "us-east-1",
		EventName: ec22Generator, EventID: ec22Finding, EventTime: at("2021-02-17T08:56:22.772Z")}
	with := func(typ, id, arn string, edit ...func(*Trigger)) Trigger {
		t := base
		t.ResourceType, t.ResourceID, t.ARN = typ, id, arn
		for _, e := range edit {
			e(&t)
		}
		return t
	}
	unsupported := func(id, reason string) Trigger {
		t := base
		t.ResourceID, t.Ignored, t.Reason = id, true, reason
		return t
	}
	tests := []struct {
		name     string
		resource string
		want     Trigger
	}{{
		name:     "security group by bare id",
		resource: `{"Type":"AwsEc2SecurityGroup","Id":"sg-0a1","Region":"eu-west-1"}`,
		want:     with("aws_security_group", "sg-0a1", "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0a1", func(t *Trigger) { t.Region = "eu-west-1" }),
	}, {
		name:     "security group of a member account: the ARN's account and region win",
		resource: `{"Type":"AwsEc2SecurityGroup","Id":"arn:aws:ec2:eu-central-1:222222222222:security-group/sg-0b2","Region":"us-east-1"}`,
		want: with("aws_security_group", "sg-0b2", "arn:aws:ec2:eu-central-1:222222222222:security-group/sg-0b2", func(t *Trigger) {
			t.Account, t.Region = "222222222222", "eu-central-1"
		}),
	}, {
		name:     "security group named only in Details",
		resource: `{"Type":"AwsEc2SecurityGroup","Id":"AWS::EC2::SecurityGroup:x","Details":{"AwsEc2SecurityGroup":{"GroupId":"sg-0c3"}}}`,
		want:     with("aws_security_group", "sg-0c3", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0c3"),
	}, {
		name:     "bucket by bare name",
		resource: `{"Type":"AwsS3Bucket","Id":"logs","Region":"eu-west-1"}`,
		want:     with("aws_s3_bucket", "logs", "arn:aws:s3:::logs", func(t *Trigger) { t.Region = "eu-west-1" }),
	}, {
		name:     "role with a path: the path-less ARN CloudTrail would give",
		resource: `{"Type":"AwsIamRole","Id":"arn:aws:iam::111111111111:role/service-role/deploy"}`,
		want:     with("aws_iam_role", "deploy", "arn:aws:iam::111111111111:role/deploy"),
	}, {
		name:     "group named only in Details, type in odd case",
		resource: `{"type":"AWSIAMGROUP","id":"AGPAEXAMPLE","Details":{"AwsIamGroup":{"GroupName":"admins"}}}`,
		want:     with("aws_iam_group", "admins", "arn:aws:iam::111111111111:group/admins"),
	}, {
		name:     "an instance",
		resource: `{"Type":"AwsEc2Instance","Id":"arn:aws:ec2:us-east-1:111111111111:instance/i-0a1"}`,
		want:     with("aws_instance", "i-0a1", "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1"),
	}, {
		name:     "a volume",
		resource: `{"Type":"AwsEc2Volume","Id":"arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1"}`,
		want:     unsupported("arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1", "unsupported event securityhub/AwsEc2Volume"),
	}, {
		name:     "a GuardDuty access key",
		resource: `{"Type":"AwsIamAccessKey","Id":"AWS::IAM::AccessKey:ASIAEXAMPLE","Details":{"AwsIamAccessKey":{"UserName":"Root"}}}`,
		want:     unsupported("AWS::IAM::AccessKey:ASIAEXAMPLE", "unsupported event securityhub/AwsIamAccessKey"),
	}, {
		name:     "a bucket Id that names no bucket",
		resource: `{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::logs/key"}`,
		want:     unsupported("arn:aws:s3:::logs/key", "unsupported event securityhub/AwsS3Bucket (Id arn:aws:s3:::logs/key names no resource of that type)"),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := editFinding(t, func(f map[string]any) { f["Resources"] = []any{json.RawMessage(tt.resource)} })
			ts, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			assertTriggers(t, ts[:1], []Trigger{tt.want})
		})
	}
}

// One finding about several resources gives one Trigger each.
func TestParseSecurityHubManyResources(t *testing.T) {
	body := editFinding(t, func(f map[string]any) {
		f["Resources"] = []any{
			map[string]any{"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1"},
			map[string]any{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"},
			map[string]any{"Type": "AwsEc2Volume", "Id": "vol-1"},
		}
	})
	ts, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 || ts[0].ResourceID != "sg-1" || ts[1].ResourceID != "b" || !ts[2].Ignored || ts[3].ResourceID != "sharrtest" {
		t.Errorf("got:\n%s", lines(t, ts))
	}
}
