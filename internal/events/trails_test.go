package events

import (
	"strings"
	"testing"
)

func trailRecord(name, request string) string {
	return `{"eventVersion":"1.11","eventSource":"cloudtrail.amazonaws.com","eventName":"` + name + `",
	"awsRegion":"eu-west-1","recipientAccountId":"123456789012","eventID":"e-1","eventTime":"2026-01-02T03:04:05Z",
	"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/bob","accountId":"123456789012"},
	"requestParameters":` + request + `,"responseElements":null}`
}

func TestParseTrailCalls(t *testing.T) {
	const main = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"
	tests := []struct {
		name, record string
		wantARN      string
		wantDeleted  bool
		wantError    string
		wantIgnored  string
	}{
		{"stop by name", trailRecord("StopLogging", `{"name":"main"}`), main, false, "", ""},
		{"stop by ARN of the home region", trailRecord("StopLogging", `{"name":"arn:aws:cloudtrail:us-east-1:123456789012:trail/org"}`),
			"arn:aws:cloudtrail:us-east-1:123456789012:trail/org", false, "", ""},
		{"start", trailRecord("StartLogging", `{"name":"main"}`), main, false, "", ""},
		{"create", trailRecord("CreateTrail", `{"name":"main","s3BucketName":"logs","isMultiRegionTrail":true}`), main, false, "", ""},
		{"update", trailRecord("UpdateTrail", `{"name":"`+main+`","isMultiRegionTrail":false}`), main, false, "", ""},
		{"delete", trailRecord("DeleteTrail", `{"name":"main"}`), main, true, "", ""},
		{"tag a trail", trailRecord("AddTags", `{"resourceId":"`+main+`","tagsList":[{"key":"rectify:exempt","value":"all"}]}`), main, false, "", ""},
		{"untag an event data store", trailRecord("RemoveTags", `{"resourceId":"arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/eds-1","tagsList":[{"key":"k"}]}`), "", false, "", "not a CloudTrail trail id or ARN"},
		{"no name", trailRecord("StopLogging", `{}`), "", false, "names no CloudTrail trail", ""},
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
			if got[0].Ignored || got[0].ARN != tt.wantARN || got[0].ResourceType != "aws_cloudtrail" || got[0].Deleted != tt.wantDeleted {
				t.Fatalf("trigger = %+v, want %s deleted=%v", got[0], tt.wantARN, tt.wantDeleted)
			}
		})
	}
}
