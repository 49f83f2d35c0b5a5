package ec2

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeSubnet is the Terraform type of a VPC subnet.
const TypeSubnet = "aws_subnet"

// Subnet is a VPC subnet (ID and Name the subnet- id).
//
// properties:
//
//	{"subnet_id": "subnet-…", "vpc_id": "vpc-…",
//	 "map_public_ip_on_launch": bool,   // every instance launched gets a public IPv4 address
//	 "default_for_az": bool}            // a default subnet (live only)
//
// In a plan, aws_subnet's map_public_ip_on_launch (false unless set);
// subnet_id and vpc_id only when known.
var Subnet = &kind.Kind{
	Type:          TypeSubnet,
	Noun:          "subnet",
	ConfigType:    "AWS::EC2::Subnet",
	ConfigIDs:     []string{kind.ConfigResourceID},
	ASFFType:      "AwsEc2Subnet",
	ASFFDetailsID: "SubnetId",
	ARN:           SubnetARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("ec2", "subnet/") },
	IsID:          func(s string) bool { return strings.HasPrefix(s, "subnet-") && len(s) > len("subnet-") },
	Fetch:         fetchSubnet,
	List:          listSubnets,
	Tag:           tagEC2,
	Normalize:     normalizeSubnet,
	Calls: []kind.Call{
		{Source: source, Names: []string{"ModifySubnetAttribute"}, IDs: []string{"requestParameters.subnetId"}},
		// A default subnet maps public IPs from birth; a new subnet does
		// not, and is judged all the same so a sweep is never the first
		// to see it.
		{Source: source, Names: []string{"CreateSubnet", "CreateDefaultSubnet"}, IDs: []string{"responseElements.subnet.subnetId"}},
		{Source: source, Names: []string{"DeleteSubnet"}, IDs: []string{"requestParameters.subnetId"}, Deletes: true},
		{Source: source, Names: []string{"CreateTags", "DeleteTags"}, IDs: []string{"requestParameters.resourcesSet.items.*.resourceId"}},
	},
	Plan:    plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeSubnet: planSubnet}},
	Actions: []*kind.Action{DisableSubnetPublicIP},
	Permissions: kind.Permissions{
		Read: []string{"ec2:DescribeSubnets"},
		List: []string{"ec2:DescribeSubnets"},
		Tag:  []string{"ec2:CreateTags"},
	},
}

// SubnetARN builds the ARN EC2 uses for a subnet.
func SubnetARN(account, region, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":subnet/" + id
}

// describeSubnet reads one subnet; ok is false when it does not exist.
func describeSubnet(ctx context.Context, client *ec2.Client, id string) (ec2types.Subnet, bool, error) {
	out, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if awserr.Code(err) == "InvalidSubnetID.NotFound" {
		return ec2types.Subnet{}, false, nil
	}
	if err != nil {
		return ec2types.Subnet{}, false, awserr.Wrap(ctx, "describe subnet "+id, err)
	}
	if len(out.Subnets) == 0 {
		return ec2types.Subnet{}, false, nil
	}
	return out.Subnets[0], true, nil
}

func fetchSubnet(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	sn, ok, err := describeSubnet(ctx, env.AWS.EC2(ref.Account, ref.Region), ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return SubnetResource(ref.Account, ref.Region, sn), true, nil
}

// listSubnets lists one page of the subnets of an account and region.
func listSubnets(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ec2.DescribeSubnetsInput{}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, p.Limit)) // EC2's minimum page size is 5
	}
	out, err := env.AWS.EC2(p.Account, p.Region).DescribeSubnets(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list subnets in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, s := range out.Subnets {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(s.SubnetId)))
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

func normalizeSubnet(account, region string, state json.RawMessage) (resource.Resource, error) {
	var sn ec2types.Subnet
	if err := json.Unmarshal(state, &sn); err != nil {
		return resource.Resource{}, err
	}
	return SubnetResource(account, region, sn), nil
}

// SubnetResource normalizes DescribeSubnets' entry for one subnet. A flag
// EC2 left out is absent (unknown), never false.
func SubnetResource(account, region string, sn ec2types.Subnet) resource.Resource {
	id := aws.ToString(sn.SubnetId)
	props := map[string]any{"subnet_id": id}
	putKnown(props, "vpc_id", sn.VpcId)
	if sn.MapPublicIpOnLaunch != nil {
		props["map_public_ip_on_launch"] = *sn.MapPublicIpOnLaunch
	}
	if sn.DefaultForAz != nil {
		props["default_for_az"] = *sn.DefaultForAz
	}
	return resource.Resource{
		Type: TypeSubnet, ARN: SubnetARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: ec2Tags(sn.Tags), Plane: resource.PlaneLive, Properties: props,
	}
}

func planSubnet(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "id")
	r := plan.Identity(in, TypeSubnet, id)
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "subnet_id", id)
	plan.PutKnown(r.Properties, "vpc_id", a)
	// The provider defaults map_public_ip_on_launch to false, so a known
	// value is always there unless it comes from another resource.
	if v, ok := plan.Bool(a, "map_public_ip_on_launch"); ok {
		r.Properties["map_public_ip_on_launch"] = v
	}
	return r, nil
}

const disableSubnetPublicIPAction = "ec2_disable_subnet_public_ip"

// DisableSubnetPublicIP turns MapPublicIpOnLaunch off on a subnet (FSBP
// EC2.15). Instances already running keep their addresses; only new ones
// launched without asking for a public address get none.
var DisableSubnetPublicIP = &kind.Action{
	Name:        disableSubnetPublicIPAction,
	Permissions: []string{"ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"},
	Describe: func(params map[string]any) string {
		id, _ := params["subnet_id"].(string)
		if id == "" {
			id = "the subnet"
		}
		return "stop " + id + " giving every new instance a public IPv4 address (MapPublicIpOnLaunch=false); running instances keep theirs"
	},
	Snapshot: snapshotSubnetPublicIP,
	Apply:    applySubnetPublicIP,
	Undo:     undoSubnetPublicIP,
}

// subnetFlagSnapshot is MapPublicIpOnLaunch before the change.
type subnetFlagSnapshot struct {
	SubnetID string `json:"subnet_id"`
	On       bool   `json:"map_public_ip_on_launch"`
}

// paramID checks that params[key], when the policy gave it, names the
// resource the action runs on.
func paramID(action, key string, ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params[key]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	id, isString := raw.(string)
	switch {
	case !isString:
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: params.%s: want a string, got %T", action, ref.ID, key, raw)
	case id != ref.ID:
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: params.%s names another resource, %s", action, ref.ID, key, id)
	}
	return id, nil
}

func snapshotSubnetPublicIP(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramID(disableSubnetPublicIPAction, "subnet_id", ref, params)
	if err != nil {
		return nil, err
	}
	sn, ok, err := describeSubnet(ctx, env.AWS.EC2(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("InvalidSubnetID.NotFound", "snapshot subnet %s: it no longer exists", id)
	}
	return subnetFlagSnapshot{SubnetID: id, On: aws.ToBool(sn.MapPublicIpOnLaunch)}, nil
}

func applySubnetPublicIP(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramID(disableSubnetPublicIPAction, "subnet_id", ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	sn, ok, err := describeSubnet(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: fmt.Sprintf("subnet %s no longer exists", id)}, nil
	case !aws.ToBool(sn.MapPublicIpOnLaunch):
		return kind.Applied{Summary: fmt.Sprintf("subnet %s already gives new instances no public IPv4 address", id)}, nil
	}
	if err := setSubnetPublicIP(ctx, client, id, false); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("subnet %s no longer gives new instances a public IPv4 address", id)}, nil
}

func undoSubnetPublicIP(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap subnetFlagSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.SubnetID == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", disableSubnetPublicIPAction, ref.ID, err)
	}
	if !snap.On {
		return nil // it was off already: apply changed nothing
	}
	return setSubnetPublicIP(ctx, env.AWS.EC2(ref.Account, ref.Region), snap.SubnetID, true)
}

func setSubnetPublicIP(ctx context.Context, client *ec2.Client, id string, on bool) error {
	if _, err := client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId: aws.String(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(on)},
	}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set MapPublicIpOnLaunch=%t on subnet %s", on, id), err)
	}
	return nil
}
