package events

import (
	"encoding/json"
	"testing"
)

func TestParseSNSFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []Trigger
	}{{
		// EventBridge → SNS → SQS: the EventBridge event is the Message.
		file: "eventbridge-cloudtrail-ec2-run-instances.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			EventName: "RunInstances", EventID: "20874fa9-d1ae-4e91-bec3-382bb426360a",
			ActorARN:  "arn:aws:sts::123456789012:assumed-role/platform--platform/LANIERK",
			IssuerARN: "arn:aws:iam::123456789012:role/-platform",
			EventTime: at("2018-02-02T22:33:05Z"),
			Ignored:   true, Reason: "unsupported event ec2.amazonaws.com/RunInstances",
		}},
	}, {
		file: "assembled-eventbridge-s3-put-bucket-public-access-block.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111111111111", Region: "us-west-2",
			ResourceType: "aws_s3_bucket", ResourceID: "austin-panther", ARN: "arn:aws:s3:::austin-panther",
			EventName: "PutBucketPublicAccessBlock", EventID: "43258a7e-eef1-44ef-9aff-1e5b4cfd825d",
			ActorARN:  "arn:aws:sts::111111111111:assumed-role/PantherDevAustinAdministrator/austin_byers",
			IssuerARN: "arn:aws:iam::111111111111:role/PantherDevAustinAdministrator",
			EventTime: at("2019-08-01T04:41:47Z"),
		}},
	}}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixtureIn(t, snsFixtureDir, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNamesIn(t, snsFixtureDir) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// Any message an SNS topic can carry gives the same Triggers inside the
// envelope as without it, with Message as a string or an object.
func TestParseSNSWrapsEverything(t *testing.T) {
	for _, dir := range []string{fixtureDir, securityHubFixtureDir} {
		for _, name := range fixtureNamesIn(t, dir) {
			t.Run(name, func(t *testing.T) {
				body := fixtureIn(t, dir, name)
				want, err := Parse(body)
				if err != nil {
					t.Fatal(err)
				}
				for _, asString := range []bool{true, false} {
					got, err := Parse(snsWrap(t, body, asString))
					if err != nil {
						t.Fatalf("Message as string %v: %v", asString, err)
					}
					if g, w := lines(t, got), lines(t, want); g != w {
						t.Errorf("Message as string %v differs\n got:\n%s want:\n%s", asString, g, w)
					}
				}
			})
		}
	}
}

// The envelope's own fields are read loosely: Lambda spells the URL keys
// SigningCertUrl, a pretty-printer may lower-case them, and Subject may be
// null.
func TestParseSNSEnvelopeSpellings(t *testing.T) {
	inner := string(fixture(t, "raw-iam-attach-role-policy.json"))
	want, err := Parse([]byte(inner))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"type":"Notification","message":` + inner + `}`,
		`{"Type":["Notification"],"Subject":null,"TopicArn":{},"Message":` + inner + `}`,
		"\xef\xbb\xbf" + `{"Type":"Notification","Message":"\ufeff ` + jsonEscape(inner) + ` "}`,
	} {
		got, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%.80s: %v", body, err)
		}
		assertTriggers(t, got, want)
	}
}

// jsonEscape spells s as the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
