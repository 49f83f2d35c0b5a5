package ec2

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeVPC is the Terraform type of a VPC.
const TypeVPC = "aws_vpc"

// VPC is a virtual private cloud (ID and Name the vpc- id) with the flow
// logs that capture its traffic.
//
// properties:
//
//	{"vpc_id": "vpc-…", "is_default": bool (live only),
//	 "flow_logs": [{"flow_log_id": "fl-…", "traffic_type": "ALL|ACCEPT|REJECT",
//	                "destination_type": "s3|cloud-watch-logs|kinesis-data-firehose",
//	                "destination": "arn:…", "status": "ACTIVE"}]}
//
// In a plan, an aws_vpc joined with the aws_flow_log resources that name
// it by vpc_id. A VPC the plan creates starts with no flow logs; for one
// that already exists, flow logs made outside this plan cannot be seen, so
// flow_logs is unknown (absent) unless a flow log in the plan names it.
var VPC = &kind.Kind{
	Type:          TypeVPC,
	Noun:          "VPC",
	ConfigType:    "AWS::EC2::VPC",
	ConfigIDs:     []string{kind.ConfigResourceID},
	ASFFType:      "AwsEc2Vpc",
	ASFFDetailsID: "VpcId",
	ARN:           VPCARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("ec2", "vpc/") },
	IsID:          isVPCID,
	Fetch:         fetchVPC,
	List:          listVPCs,
	Tag:           tagEC2,
	Normalize:     normalizeVPC,
	Calls: []kind.Call{
		// A new VPC has no flow logs: judge it at once rather than wait
		// for a sweep.
		{Source: source, Names: []string{"CreateVpc", "CreateDefaultVpc"}, IDs: []string{"responseElements.vpc.vpcId"}},
		{Source: source, Names: []string{"DeleteVpc"}, IDs: []string{"requestParameters.vpcId"}, Deletes: true},
		{Source: source, Names: []string{"CreateTags", "DeleteTags"}, IDs: []string{"requestParameters.resourcesSet.items.*.resourceId"}},
	},
	Plan: plan.Kind{
		Parents:   map[string]func(*plan.Instance) (plan.Doc, string, error){TypeVPC: newVPCDoc},
		Children:  map[string]string{"aws_flow_log": "vpc_id"},
		Synthetic: syntheticVPC,
	},
	Actions: []*kind.Action{CreateFlowLogs},
	Permissions: kind.Permissions{
		Read: []string{"ec2:DescribeVpcs", "ec2:DescribeFlowLogs"},
		List: []string{"ec2:DescribeVpcs"},
		Tag:  []string{"ec2:CreateTags"},
	},
}

// VPCARN builds the ARN EC2 uses for a VPC.
func VPCARN(account, region, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":vpc/" + id
}

func isVPCID(s string) bool { return strings.HasPrefix(s, "vpc-") && len(s) > len("vpc-") }

// describeVPC reads one VPC; ok is false when it does not exist.
func describeVPC(ctx context.Context, client *ec2.Client, id string) (ec2types.Vpc, bool, error) {
	out, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if awserr.Code(err) == "InvalidVpcID.NotFound" {
		return ec2types.Vpc{}, false, nil
	}
	if err != nil {
		return ec2types.Vpc{}, false, awserr.Wrap(ctx, "describe VPC "+id, err)
	}
	if len(out.Vpcs) == 0 {
		return ec2types.Vpc{}, false, nil
	}
	return out.Vpcs[0], true, nil
}

// vpcFlowLogs reads every flow log whose resource is the VPC, all pages.
func vpcFlowLogs(ctx context.Context, client *ec2.Client, vpc string) ([]ec2types.FlowLog, error) {
	var out []ec2types.FlowLog
	p := ec2.NewDescribeFlowLogsPaginator(client, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Wrap(ctx, "describe flow logs of VPC "+vpc, err)
		}
		out = append(out, page.FlowLogs...)
	}
	return out, nil
}

// VPCState is what a live read of a VPC returns: the VPC and its flow
// logs. Normalize takes it as JSON.
type VPCState struct {
	VPC      ec2types.Vpc       `json:"vpc"`
	FlowLogs []ec2types.FlowLog `json:"flow_logs"`
}

func fetchVPC(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.EC2(ref.Account, ref.Region)
	v, ok, err := describeVPC(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	logs, err := vpcFlowLogs(ctx, client, ref.ID)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return VPCResource(ref.Account, ref.Region, VPCState{VPC: v, FlowLogs: logs}), true, nil
}

// listVPCs lists one page of the VPCs of an account and region.
func listVPCs(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ec2.DescribeVpcsInput{}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, p.Limit)) // EC2's minimum page size is 5
	}
	out, err := env.AWS.EC2(p.Account, p.Region).DescribeVpcs(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list VPCs in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, v := range out.Vpcs {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(v.VpcId)))
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

func normalizeVPC(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s VPCState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return VPCResource(account, region, s), nil
}

// VPCResource normalizes a VPC and its flow logs. Flow logs are always
// known on the live plane: none is an empty list.
func VPCResource(account, region string, s VPCState) resource.Resource {
	id := aws.ToString(s.VPC.VpcId)
	props := map[string]any{"vpc_id": id}
	if s.VPC.IsDefault != nil {
		props["is_default"] = *s.VPC.IsDefault
	}
	logs := make([]any, 0, len(s.FlowLogs))
	for _, fl := range s.FlowLogs {
		m := map[string]any{}
		putKnown(m, "flow_log_id", fl.FlowLogId)
		if fl.TrafficType != "" {
			m["traffic_type"] = string(fl.TrafficType)
		}
		if fl.LogDestinationType != "" {
			m["destination_type"] = string(fl.LogDestinationType)
		}
		putKnown(m, "destination", fl.LogDestination)
		putKnown(m, "status", fl.FlowLogStatus)
		logs = append(logs, m)
	}
	slices.SortFunc(logs, func(a, b any) int {
		x, _ := a.(map[string]any)["flow_log_id"].(string)
		y, _ := b.(map[string]any)["flow_log_id"].(string)
		return strings.Compare(x, y)
	})
	props["flow_logs"] = logs
	return resource.Resource{
		Type: TypeVPC, ARN: VPCARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: ec2Tags(s.VPC.Tags), Plane: resource.PlaneLive, Properties: props,
	}
}

// vpcDoc assembles an aws_vpc document from the VPC and its aws_flow_log
// children.
type vpcDoc struct {
	res   resource.Resource
	props map[string]any
}

func newVPCDoc(in *plan.Instance) (plan.Doc, string, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "id")
	d := &vpcDoc{res: plan.Identity(in, TypeVPC, id), props: map[string]any{}}
	plan.PutString(d.props, "vpc_id", id)
	if id != "" {
		d.res.ARN = VPCARN(d.res.Account, d.res.Region, id)
	}
	if in.Create() {
		d.props["flow_logs"] = []any{} // a new VPC has none
	}
	return d, id, nil
}

func syntheticVPC(child *plan.Instance, key string) plan.Doc {
	d := &vpcDoc{res: plan.Synthetic(child, TypeVPC, key), props: map[string]any{}}
	plan.PutString(d.props, "vpc_id", key)
	return d
}

// Join adds a planned flow log. A deleted one is left out; whether the
// VPC keeps others made outside the plan stays as known as it was.
func (d *vpcDoc) Join(child *plan.Instance) error {
	if child.Deleted() {
		return nil
	}
	a := child.After()
	fl := map[string]any{}
	plan.PutKnown(fl, "traffic_type", a)
	if v, ok := plan.NonEmpty(a, "log_destination_type"); ok {
		fl["destination_type"] = v
	}
	if v, ok := plan.NonEmpty(a, "log_destination"); ok {
		fl["destination"] = v
	}
	logs, _ := d.props["flow_logs"].([]any)
	d.props["flow_logs"] = append(logs, fl)
	return nil
}

func (d *vpcDoc) Resource() resource.Resource {
	r := d.res
	r.Properties = d.props
	return r
}
