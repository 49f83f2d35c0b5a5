package events

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that every answer keeps Parse's
// promises. Plain `go test` runs the seeds: every fixture plus the shapes
// known to be awkward.
func FuzzParse(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(fixture(f, name))
	}
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
	f.Fuzz(func(t *testing.T, body []byte) {
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
			if tr.Source != SourceCloudTrail || tr.EventName == "" {
				t.Fatalf("trigger without source or event name: %+v", tr)
			}
			if tr.Ignored {
				if tr.Reason == "" {
					t.Fatalf("ignored without a reason: %+v", tr)
				}
				continue
			}
			if tr.Reason != "" || tr.Account == "" || tr.Region == "" || tr.ResourceType == "" || tr.ResourceID == "" || tr.ARN == "" {
				t.Fatalf("live trigger missing identity: %+v", tr)
			}
		}
		// Filtering what Parse returns must not panic either.
		Filter{RemediationRoles: []string{"arn:aws:iam::*:role/*"}}.Apply(ts)
	})
}
