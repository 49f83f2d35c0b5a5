package plan_test

import (
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

// TestVPCFlowLogJoins: an existing VPC's flow logs are unknown (the plan
// cannot see those made outside it) unless a flow log in the plan names
// it; a flow log the plan deletes adds nothing; a flow log naming a VPC
// the plan does not hold makes a synthetic VPC document.
func TestVPCFlowLogJoins(t *testing.T) {
	const input = `{"format_version": "1.2", "resource_changes": [
	 {"address": "aws_vpc.kept", "mode": "managed", "type": "aws_vpc", "name": "kept",
	  "change": {"actions": ["no-op"], "before": {"id": "vpc-0kept"}, "after": {"id": "vpc-0kept"}, "after_unknown": {}}},
	 {"address": "aws_vpc.logged", "mode": "managed", "type": "aws_vpc", "name": "logged",
	  "change": {"actions": ["no-op"], "before": {"id": "vpc-0logged"}, "after": {"id": "vpc-0logged"}, "after_unknown": {}}},
	 {"address": "aws_flow_log.logged", "mode": "managed", "type": "aws_flow_log", "name": "logged",
	  "change": {"actions": ["create"], "before": null, "after": {"vpc_id": "vpc-0logged", "traffic_type": "ALL", "log_destination_type": "s3", "log_destination": "arn:aws:s3:::logs"}, "after_unknown": {"id": true}}},
	 {"address": "aws_flow_log.gone", "mode": "managed", "type": "aws_flow_log", "name": "gone",
	  "change": {"actions": ["delete"], "before": {"vpc_id": "vpc-0kept", "traffic_type": "REJECT"}, "after": null, "after_unknown": {}}},
	 {"address": "aws_flow_log.elsewhere", "mode": "managed", "type": "aws_flow_log", "name": "elsewhere",
	  "change": {"actions": ["create"], "before": null, "after": {"vpc_id": "vpc-0other", "traffic_type": "REJECT"}, "after_unknown": {"id": true}}}
	]}`
	p, err := plan.Parse(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := plan.Resources(p, service.Plan)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, r := range rs {
		if r.Type == "aws_vpc" {
			byID[r.ID] = r.Properties
		}
	}
	if _, known := byID["vpc-0kept"]["flow_logs"]; known {
		t.Errorf("vpc-0kept: flow_logs %v, want unknown", byID["vpc-0kept"]["flow_logs"])
	}
	if logs, _ := byID["vpc-0logged"]["flow_logs"].([]any); len(logs) != 1 || logs[0].(map[string]any)["traffic_type"] != "ALL" {
		t.Errorf("vpc-0logged: flow_logs %v, want the planned ALL flow log", byID["vpc-0logged"]["flow_logs"])
	}
	if logs, _ := byID["vpc-0other"]["flow_logs"].([]any); len(logs) != 1 {
		t.Errorf("vpc-0other (synthetic): %v, want its one planned flow log", byID["vpc-0other"])
	}
}
