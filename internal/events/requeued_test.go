package events

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/rectifyhq/rectify/internal/resource"
)

var requeuedSG = resource.Ref{
	Type: ec2.TypeSecurityGroup, ID: "sg-0abc", Account: "123456789012", Region: "us-east-1",
	ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
}

func requeued(change RequeuedChange) Requeued {
	return Requeued{
		Kind: RequeuedKind, Resource: requeuedSG, Change: change,
		Reason: "evaluate: AuthFailure: AWS was not able to validate the provided access credentials", ErrorType: "AuthFailure",
		WorkflowID: "evaluate/" + requeuedSG.ARN, FailedAt: time.Date(2026, 1, 2, 3, 9, 5, 0, time.UTC),
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// What an Evaluate that gave up writes comes back as the Trigger that
// started it, so a redrive evaluates the same resource again.
func TestParseRequeued(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	human := "arn:aws:iam::123456789012:user/dev"
	base := Trigger{Account: requeuedSG.Account, Region: requeuedSG.Region, ResourceType: requeuedSG.Type, ResourceID: requeuedSG.ID, ARN: requeuedSG.ARN}
	with := func(f func(*Trigger)) Trigger { t := base; f(&t); return t }
	for _, tc := range []struct {
		name   string
		change RequeuedChange
		want   Trigger
	}{
		{"cloudtrail change", RequeuedChange{Source: SourceCloudTrail, EventName: "AuthorizeSecurityGroupIngress", EventID: "e1", Actor: human, EventTime: at},
			with(func(t *Trigger) {
				t.Source, t.EventName, t.EventID, t.ActorARN, t.EventTime = SourceCloudTrail, "AuthorizeSecurityGroupIngress", "e1", human, at
			})},
		{"sweep names no event", RequeuedChange{Source: "sweep", EventName: "Sweep", EventTime: at},
			with(func(t *Trigger) { t.Source, t.EventName, t.EventTime = "sweep", "Sweep", at })},
		{"direct start names nothing", RequeuedChange{Source: "direct"},
			with(func(t *Trigger) { t.Source, t.EventName = "direct", RequeuedKind })},
		// Loop prevention applies again: a message anyone could write.
		{"read-only call ignored", RequeuedChange{Source: SourceCloudTrail, EventName: "DescribeSecurityGroups", Actor: human},
			with(func(t *Trigger) {
				t.Source, t.EventName, t.ActorARN, t.Ignored, t.Reason = SourceCloudTrail, "DescribeSecurityGroups", human, true, reasonReadOnly
			})},
		{"own finding ignored", RequeuedChange{Source: SourceSecurityHub, EventName: "rectify/aws.ec2.sg_public_admin_ports"},
			with(func(t *Trigger) {
				t.Source, t.EventName, t.Ignored, t.Reason = SourceSecurityHub, "rectify/aws.ec2.sg_public_admin_ports", true, reasonOwnFinding+"rectify/aws.ec2.sg_public_admin_ports"
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(marshal(t, requeued(tc.change))))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, []Trigger{tc.want}) {
				t.Errorf("got  %+v\nwant %+v", got, []Trigger{tc.want})
			}
		})
	}
}

// A requeued change made by a remediation role is dropped by the starter's
// filter, as the original event would have been.
func TestParseRequeuedFilteredByRemediationRole(t *testing.T) {
	session := "arn:aws:sts::123456789012:assumed-role/rectify-remediation/rectify"
	ts, err := Parse([]byte(marshal(t, requeued(RequeuedChange{Source: SourceCloudTrail, EventName: "RevokeSecurityGroupIngress", Actor: session}))))
	if err != nil {
		t.Fatal(err)
	}
	got := Filter{RemediationRoles: []string{"arn:aws:iam::*:role/rectify-remediation"}}.Apply(ts)
	if len(got) != 1 || !got[0].Ignored || ReasonCategory(got[0].Reason) != CategoryRemediation {
		t.Fatalf("filtered = %+v, want ignored as a remediation role", got)
	}
}

// The same message through SNS, as a redrive through a topic delivers it.
func TestParseRequeuedInSNS(t *testing.T) {
	body := marshal(t, requeued(RequeuedChange{Source: SourceConfig, EventName: "ConfigurationItemChangeNotification"}))
	ts, err := Parse([]byte(`{"Type":"Notification","Message":` + marshal(t, body) + `}`))
	if err != nil || len(ts) != 1 || ts[0].ARN != requeuedSG.ARN || ts[0].Source != SourceConfig {
		t.Fatalf("Parse = %+v, %v", ts, err)
	}
}

func TestParseRequeuedRejects(t *testing.T) {
	good := marshal(t, requeued(RequeuedChange{Source: SourceCloudTrail, EventName: "AuthorizeSecurityGroupIngress"}))
	edit := func(from, to string) string {
		if !strings.Contains(good, from) {
			t.Fatalf("%s not in %s", from, good)
		}
		return strings.Replace(good, from, to, 1)
	}
	for _, tc := range []rejectCase{
		{"other kind", edit(`"rectify":"evaluation-failed/v1"`, `"rectify":"evaluation-failed/v9"`), `rectify message of kind "evaluation-failed/v9" is not supported; this version reads "evaluation-failed/v1"`},
		{"kind not a string", edit(`"rectify":"evaluation-failed/v1"`, `"rectify":{"a":1}`), "rectify is an object, expected a string"},
		{"no resource", edit(`"resource":`, `"resourc":`), "resource.type is missing"},
		{"resource not an object", edit(`"resource":{`, `"resource":7,"x":{`), "resource is a number, expected an object"},
		{"no arn", edit(`"arn":"`+requeuedSG.ARN+`"`, `"arn":""`), "resource.arn is missing"},
		{"no region", edit(`"region":"us-east-1"`, `"region":""`), "resource.region is missing"},
		{"arn not an ARN", edit(`"arn":"`+requeuedSG.ARN+`"`, `"arn":"sg-0abc"`), `resource.arn is "sg-0abc", expected an ARN`},
		{"bad account", edit(`"account":"123456789012"`, `"account":"1234"`), `resource.account is "1234", expected a 12-digit account id`},
		{"arn of another account", edit(`"account":"123456789012"`, `"account":"210987654321"`), "resource.arn names account 123456789012, but resource.account is 210987654321"},
		{"arn of another region", edit(`"region":"us-east-1"`, `"region":"eu-west-1"`), "resource.arn names region us-east-1, but resource.region is eu-west-1"},
		{"no change", edit(`"change":`, `"chang":`), `change.source is "", expected one of`},
		{"no source", edit(`"source":"cloudtrail"`, `"source":""`), `change.source is "", expected one of cloudtrail, config, securityhub, sweep, direct`},
		{"unknown source", edit(`"source":"cloudtrail"`, `"source":"guardduty"`), `change.source is "guardduty"`},
		{"bad time", edit(`"event_name"`, `"event_time":"soon","event_name"`), `change.event_time is "soon", expected a time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := Parse([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, %v; want an error containing %q", ts, err, tc.want)
			}
			if ts != nil {
				t.Errorf("triggers with an error: %v", ts)
			}
		})
	}
}

// FuzzParseRequeued: rectify's own dead-letter messages.
func FuzzParseRequeued(f *testing.F) {
	for _, seed := range []string{
		`{"rectify":"evaluation-failed/v1"}`,
		`{"rectify":"evaluation-failed/v1","resource":{"type":"t","id":"i","arn":"arn:aws:s3:::b","account":"123456789012","region":"r"},"change":{"source":"direct"}}`,
		`{"rectify":"evaluation-failed/v1","resource":{"type":"t","id":"i","arn":"arn:aws:iam::123456789012:role/x","account":"123456789012","region":"us-east-1"},"change":{"source":["sweep"],"event_time":1}}`,
		`{"rectify":1,"resource":[],"change":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkParse)
}
