package events

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fixture directories, one per kind of message; SOURCES.md in each says
// where every file came from.
const (
	fixtureDir            = "testdata/cloudtrail"
	configFixtureDir      = "testdata/config"
	securityHubFixtureDir = "testdata/securityhub"
	snsFixtureDir         = "testdata/sns"
)

var fixtureDirs = []string{fixtureDir, configFixtureDir, securityHubFixtureDir, snsFixtureDir}

// fixture reads a CloudTrail fixture.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return fixtureIn(t, fixtureDir, name)
}

func fixtureIn(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureNames lists the CloudTrail fixtures.
func fixtureNames(t testing.TB) []string {
	t.Helper()
	return fixtureNamesIn(t, fixtureDir)
}

func fixtureNamesIn(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// lines renders triggers as the CLI does, one JSON object each, so a mismatch
// shows every field of both sides.
func lines(t testing.TB, ts []Trigger) string {
	t.Helper()
	var b strings.Builder
	for _, tr := range ts {
		j, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func assertTriggers(t testing.TB, got, want []Trigger) {
	t.Helper()
	if g, w := lines(t, got), lines(t, want); g != w {
		t.Errorf("triggers differ\n got:\n%s want:\n%s", g, w)
	}
}

// decode and encode let a test edit a fixture as a generic document.
func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wrap puts a raw record into the envelope EventBridge delivers it in.
func wrap(t testing.TB, record []byte, account, region, when string) []byte {
	t.Helper()
	return encode(t, map[string]any{
		"version":     "0",
		"id":          "0d9b1a6c-0000-4000-8000-000000000000",
		"detail-type": "AWS API Call via CloudTrail",
		"source":      "aws.ec2",
		"account":     account,
		"time":        when,
		"region":      region,
		"resources":   []any{},
		"detail":      json.RawMessage(record),
	})
}

// snsWrap puts a message into the SNS notification a queue receives from a
// topic without raw delivery: Message as a JSON string, as SNS sends it, or
// as an object when asString is false.
func snsWrap(t testing.TB, message []byte, asString bool) []byte {
	t.Helper()
	var m any = json.RawMessage(message)
	if asString {
		m = string(message)
	}
	return encode(t, map[string]any{
		"Type":             "Notification",
		"MessageId":        "5b2e0f4c-0000-4000-8000-000000000000",
		"TopicArn":         "arn:aws:sns:us-east-1:123456789012:rectify-events",
		"Message":          m,
		"Timestamp":        "2030-01-01T00:00:00.000Z",
		"SignatureVersion": "1",
		"Signature":        "EXAMPLE",
	})
}

// lambdaWrap builds the event a Lambda function subscribed to an SNS topic
// receives for these messages: one record each, the notification in Sns
// with Lambda's key spellings (SigningCertUrl, UnsubscribeUrl), as in
// testdata/sns/lambda-*.json.
func lambdaWrap(t testing.TB, asString bool, messages ...[]byte) []byte {
	t.Helper()
	var records []any
	for i, message := range messages {
		var m any = json.RawMessage(message)
		if asString {
			m = string(message)
		}
		records = append(records, map[string]any{
			"EventSource":          "aws:sns",
			"EventVersion":         "1.0",
			"EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:rectify-events:2f0e1b7c-0000-4000-8000-000000000000",
			"Sns": map[string]any{
				"Type":              "Notification",
				"MessageId":         fmt.Sprintf("5b2e0f4c-0000-4000-8000-%012d", i),
				"TopicArn":          "arn:aws:sns:us-east-1:123456789012:rectify-events",
				"Subject":           nil,
				"Message":           m,
				"Timestamp":         "2030-01-01T00:00:00.000Z",
				"SignatureVersion":  "1",
				"Signature":         "EXAMPLE",
				"SigningCertUrl":    "EXAMPLE",
				"UnsubscribeUrl":    "EXAMPLE",
				"MessageAttributes": map[string]any{},
			},
		})
	}
	return encode(t, map[string]any{"Records": records})
}

// eventBridgeWrap puts a detail into an EventBridge envelope of the given
// detail-type, with envelope fields that disagree with any the detail has.
func eventBridgeWrap(t testing.TB, detailType string, detail []byte) []byte {
	t.Helper()
	return encode(t, map[string]any{
		"version":     "0",
		"id":          "0d9b1a6c-0000-4000-8000-000000000001",
		"detail-type": detailType,
		"source":      "aws.config",
		"account":     "999999999999",
		"time":        "2030-01-01T00:00:00Z",
		"region":      "ap-south-2",
		"resources":   []any{},
		"detail":      json.RawMessage(detail),
	})
}
