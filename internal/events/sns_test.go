package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseSNSFixtures(t *testing.T) {
	tests := []struct {
		file    string
		want    []Trigger
		wantErr string
	}{{
		// SNS → Lambda: the Lambda event of the Config notification that
		// ../config/sns-ec2-security-group-update.json holds the Sns object
		// of, as its author captured it.
		file: "lambda-config-ec2-security-group-update.json",
		want: []Trigger{{
			Source: "config", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_security_group", ResourceID: "sg-77707e10",
			ARN:       "arn:aws:ec2:us-east-1:123456789012:security-group/sg-77707e10",
			EventName: "ConfigurationItemChangeNotification", EventID: "8", EventTime: at("2015-09-16T21:48:57.411Z"),
		}},
	}, {
		// SNS → Lambda, AWS's own sample event: the Message is plain text,
		// which rectify cannot act on.
		file:    "lambda-aws-lambda-go-sns-event.json",
		wantErr: "Records[0].Sns: SNS Message from arn:aws:sns:EXAMPLE: not JSON",
	}, {
		// EventBridge → SNS → SQS: the EventBridge event is the Message.
		file: "eventbridge-cloudtrail-ec2-run-instances.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-1",
			ResourceType: "aws_instance", ResourceID: "i-0a626ccee68ff585c", ARN: "arn:aws:ec2:us-east-1:123456789012:instance/i-0a626ccee68ff585c",
			EventName: "RunInstances", EventID: "20874fa9-d1ae-4e91-bec3-382bb426360a",
			ActorARN:  "arn:aws:sts::123456789012:assumed-role/platform--platform/LANIERK",
			IssuerARN: "arn:aws:iam::123456789012:role/-platform",
			EventTime: at("2018-02-02T22:33:05Z"),
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
			if tt.wantErr != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
					t.Fatalf("Parse = %v, %v; want no triggers and a *ParseError saying %q", got, err, tt.wantErr)
				}
				return
			}
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

// Every delivery form of one notification gives the same triggers: SNS to
// SQS (the envelope), raw delivery (the notification alone), SNS to Lambda
// (the envelope inside Records), and EventBridge where AWS sends it. The
// CloudTrail and Security Hub fixtures are EventBridge events or raw
// records; each is also wrapped in a Lambda event here.
func TestParseEveryDeliveryForm(t *testing.T) {
	// One capture, three forms: raw, SNS → SQS and SNS → Lambda.
	lambda, err := Parse(fixtureIn(t, snsFixtureDir, "lambda-config-ec2-security-group-update.json"))
	if err != nil {
		t.Fatal(err)
	}
	envelope, err := Parse(fixtureIn(t, configFixtureDir, "sns-ec2-security-group-update.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := lines(t, lambda), lines(t, envelope); g != w {
		t.Errorf("Lambda form differs from the SQS envelope\n got:\n%s want:\n%s", g, w)
	}
	var env struct{ Message string }
	if err := json.Unmarshal(fixtureIn(t, configFixtureDir, "sns-ec2-security-group-update.json"), &env); err != nil {
		t.Fatal(err)
	}
	raw, err := Parse([]byte(env.Message))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := lines(t, raw), lines(t, envelope); g != w {
		t.Errorf("raw delivery differs from the SQS envelope\n got:\n%s want:\n%s", g, w)
	}

	for _, dir := range []string{fixtureDir, configFixtureDir, securityHubFixtureDir} {
		for _, name := range fixtureNamesIn(t, dir) {
			t.Run(name, func(t *testing.T) {
				body := fixtureIn(t, dir, name)
				want, err := Parse(body)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(body, []byte(`"TopicArn"`)) {
					return // already an SNS envelope: SNS does not deliver SNS
				}
				for _, asString := range []bool{true, false} {
					got, err := Parse(lambdaWrap(t, asString, body))
					if err != nil {
						t.Fatalf("Lambda form, Message as string %v: %v", asString, err)
					}
					if g, w := lines(t, got), lines(t, want); g != w {
						t.Errorf("Lambda form, Message as string %v differs\n got:\n%s want:\n%s", asString, g, w)
					}
				}
				// Lambda delivers one record per invocation; two are read
				// in order all the same.
				got, err := Parse(lambdaWrap(t, true, body, body))
				if err != nil {
					t.Fatal(err)
				}
				if g, w := lines(t, got), lines(t, want)+lines(t, want); g != w {
					t.Errorf("two records\n got:\n%s want:\n%s", g, w)
				}
			})
		}
	}
}

func TestParseLambdaSNSRejects(t *testing.T) {
	inner := fixture(t, "raw-iam-attach-role-policy.json")
	record := string(lambdaWrap(t, true, inner))
	record = record[strings.Index(record, "[")+1 : strings.LastIndex(record, "]")]
	cloudTrail := string(inner)
	tests := []struct {
		name, body, want string
	}{
		{"SNS record after a CloudTrail record", `{"Records":[` + cloudTrail + `,` + record + `]}`, "Records[1]: Records mixes SNS records"},
		{"CloudTrail record after an SNS record", `{"Records":[` + record + `,` + cloudTrail + `]}`, "Records[1]: Records mixes SNS records"},
		{"Sns not an object", `{"Records":[{"EventSource":"aws:sns","Sns":"hello"}]}`, "Records[0]: record with EventSource aws:sns has Sns a string, expected the SNS notification object"},
		{"Sns missing", `{"Records":[{"EventSource":"aws:sns"}]}`, "has Sns missing"},
		{"subscription confirmation", `{"Records":[{"EventSource":"aws:sns","Sns":{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"x"}}]}`,
			"Records[0].Sns: SNS SubscriptionConfirmation from topic arn:aws:sns:us-east-1:123456789012:t announces no change"},
		{"Lambda event inside an SNS message", string(snsWrap(t, []byte(`{"Records":[`+record+`]}`), true)), "SNS notification inside an SNS notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) || got != nil {
				t.Fatalf("Parse = %v, %v\nwant no triggers and a *ParseError saying %q", got, err, tt.want)
			}
		})
	}
}
