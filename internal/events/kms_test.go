package events

import (
	"strings"
	"testing"
)

const kmsFixtureDir = "testdata/kms-cloudtrail"

func TestParseKMSFixtures(t *testing.T) {
	const (
		alice = "arn:aws:iam::111122223333:user/Alice"
		keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	)
	westKey := "arn:aws:kms:us-west-2:111122223333:key/" + keyID
	tests := []struct {
		file string
		want []Trigger
	}{{
		file: "raw-kms-enable-key-rotation.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111122223333", Region: "us-west-2",
			ResourceType: "aws_kms_key", ResourceID: keyID, ARN: westKey,
			EventName: "EnableKeyRotation", EventID: "fefc43a7-8e06-419f-bcab-b3bf18d6a401",
			ActorARN: alice, EventTime: at("2020-07-25T23:41:56Z"),
		}},
	}, {
		file: "raw-kms-disable-key-rotation.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111122223333", Region: "us-west-2",
			ResourceType: "aws_kms_key", ResourceID: keyID, ARN: westKey,
			EventName: "DisableKeyRotation", EventID: "6313164c-83aa-4cc3-9e1a-b7c426f7a5b1",
			ActorARN: alice, EventTime: at("2022-09-01T19:31:39Z"),
		}},
	}, {
		file: "logfile-kms-create-key.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111122223333", Region: "us-west-2",
			ResourceType: "aws_kms_key", ResourceID: keyID, ARN: westKey,
			EventName: "CreateKey", EventID: "ba116326-1792-4784-87dd-a688d1cb42ec",
			ActorARN: alice, EventTime: at("2020-06-30T02:34:07Z"),
		}},
	}, {
		// Called by key id, so the key is in the event's own region.
		file: "raw-kms-schedule-key-deletion.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111122223333", Region: "us-east-1",
			ResourceType: "aws_kms_key", ResourceID: keyID, ARN: "arn:aws:kms:us-east-1:111122223333:key/" + keyID,
			EventName: "ScheduleKeyDeletion", EventID: "3c4226b0-1e81-48a8-a333-7fa5f3cbd118",
			ActorARN: alice, EventTime: at("2021-03-23T18:58:30Z"), Deleted: true,
		}},
	}, {
		file: "raw-cloudtrail-stop-logging.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "ap-southeast-2",
			ResourceType: "aws_cloudtrail", ResourceID: "stratus-red-team-ct-stop-trail-sxtxvrkmru",
			ARN:       "arn:aws:cloudtrail:ap-southeast-2:123456789012:trail/stratus-red-team-ct-stop-trail-sxtxvrkmru",
			EventName: "StopLogging", EventID: "1dd62ee5-b6fd-471b-85cb-fa3f7e43fb19",
			ActorARN: "arn:aws:iam::123456789012:user/soclabs-test", EventTime: at("2025-06-03T07:42:08Z"),
		}},
	}}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixtureIn(t, kmsFixtureDir, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNamesIn(t, kmsFixtureDir) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// kmsRecord is a minimal KMS CloudTrail record in the documented shape.
func kmsRecord(name, request, resources string) string {
	return `{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"` + name + `",
	"awsRegion":"eu-west-1","recipientAccountId":"123456789012","eventID":"e-1","eventTime":"2026-01-02T03:04:05Z",
	"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/bob","accountId":"123456789012"},
	"requestParameters":` + request + `,"responseElements":null,"resources":` + resources + `}`
}

func TestParseKMSCalls(t *testing.T) {
	const id = "0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	local := "arn:aws:kms:eu-west-1:123456789012:key/" + id
	tests := []struct {
		name, record       string
		wantARN, wantError string
		wantIgnored        string
	}{
		{"tag by key id", kmsRecord("TagResource", `{"keyId":"`+id+`","tags":[{"tagKey":"rectify:exempt","tagValue":"all"}]}`, `[]`), local, "", ""},
		{"untag by key ARN of another account", kmsRecord("UntagResource", `{"keyId":"arn:aws:kms:us-east-2:210987654321:key/`+id+`","tagKeys":["a"]}`, `[]`),
			"arn:aws:kms:us-east-2:210987654321:key/" + id, "", ""},
		{"by alias, key from resources", kmsRecord("DisableKeyRotation", `{"keyId":"alias/app"}`, `[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"`+local+`"}]`), local, "", ""},
		{"by alias, no resources", kmsRecord("EnableKeyRotation", `{"keyId":"alias/app"}`, `[]`), "", "", "alias/app: not a KMS key id or ARN"},
		{"no key at all", kmsRecord("EnableKeyRotation", `{}`, `[]`), "", "names no KMS key", ""},
		{"cancel deletion", kmsRecord("CancelKeyDeletion", `{"keyId":"`+id+`"}`, `[]`), local, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.record))
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantError)
				}
				return
			}
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v", got, err)
			}
			if tt.wantIgnored != "" {
				if !got[0].Ignored || !strings.Contains(got[0].Reason, tt.wantIgnored) {
					t.Fatalf("trigger = %+v, want ignored with %q", got[0], tt.wantIgnored)
				}
				return
			}
			if got[0].Ignored || got[0].ARN != tt.wantARN || got[0].ResourceType != "aws_kms_key" {
				t.Fatalf("trigger = %+v, want %s", got[0], tt.wantARN)
			}
		})
	}
}
