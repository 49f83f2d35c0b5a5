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

// TypeInstance is the Terraform type of an EC2 instance.
const TypeInstance = "aws_instance"

// Instance is an EC2 instance that is not terminated (ID and Name the i-
// id).
//
// properties:
//
//	{"instance_id": "i-…",
//	 "http_tokens": "optional" | "required",    // optional: IMDSv1 answers too
//	 "http_endpoint": "enabled" | "disabled"}   // the metadata service at all
//
// In a plan, aws_instance's metadata_options block; without one both are
// chosen by the AMI at launch, so they are absent (unknown).
var Instance = &kind.Kind{
	Type:       TypeInstance,
	Noun:       "EC2 instance",
	ConfigType: "AWS::EC2::Instance",
	ConfigIDs:  []string{kind.ConfigResourceID},
	// AwsEc2InstanceDetails has no id field: Security Hub names the
	// instance by its ARN.
	ASFFType:  "AwsEc2Instance",
	ARN:       InstanceARN,
	ParseARN:  func(a kind.ARN) (string, bool) { return a.Of("ec2", "instance/") },
	IsID:      func(s string) bool { return strings.HasPrefix(s, "i-") && len(s) > len("i-") },
	Fetch:     fetchInstance,
	List:      listInstances,
	Tag:       tagEC2,
	Normalize: normalizeInstance,
	Calls: []kind.Call{
		// A newer call: CloudTrail wraps the request under its shape's
		// name, with the API's own field names.
		{Source: source, Names: []string{"ModifyInstanceMetadataOptions"}, IDs: []string{
			"requestParameters.ModifyInstanceMetadataOptionsRequest.InstanceId",
			"responseElements.ModifyInstanceMetadataOptionsResponse.instanceId",
		}},
		// A launch is where IMDSv1 usually comes from (an AMI or launch
		// template that allows it).
		{Source: source, Names: []string{"RunInstances"}, IDs: []string{"responseElements.instancesSet.items.*.instanceId"}},
		{Source: source, Names: []string{"TerminateInstances"}, IDs: []string{
			"responseElements.instancesSet.items.*.instanceId", "requestParameters.instancesSet.items.*.instanceId",
		}, Deletes: true},
		{Source: source, Names: []string{"CreateTags", "DeleteTags"}, IDs: []string{"requestParameters.resourcesSet.items.*.resourceId"}},
	},
	Plan:    plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeInstance: planInstance}},
	Actions: []*kind.Action{RequireIMDSv2},
	Permissions: kind.Permissions{
		// DescribeInstances carries the tags and the metadata options.
		Read: []string{"ec2:DescribeInstances"},
		List: []string{"ec2:DescribeInstances"},
		Tag:  []string{"ec2:CreateTags"},
	},
}

// InstanceARN builds the ARN EC2 uses for an instance.
func InstanceARN(account, region, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":instance/" + id
}

// gone reports whether an instance is out of the live plane: terminated,
// or on its way there, where its options no longer matter.
func gone(in ec2types.Instance) bool {
	if in.State == nil {
		return false
	}
	return in.State.Name == ec2types.InstanceStateNameTerminated || in.State.Name == ec2types.InstanceStateNameShuttingDown
}

// describeInstance reads one instance; ok is false when it does not exist
// or is terminated.
func describeInstance(ctx context.Context, client *ec2.Client, id string) (ec2types.Instance, bool, error) {
	out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if awserr.Code(err) == "InvalidInstanceID.NotFound" {
		return ec2types.Instance{}, false, nil
	}
	if err != nil {
		return ec2types.Instance{}, false, awserr.Wrap(ctx, "describe instance "+id, err)
	}
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			if aws.ToString(in.InstanceId) == id {
				return in, !gone(in), nil
			}
		}
	}
	return ec2types.Instance{}, false, nil
}

func fetchInstance(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	in, ok, err := describeInstance(ctx, env.AWS.EC2(ref.Account, ref.Region), ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return InstanceResource(ref.Account, ref.Region, in), true, nil
}

// listInstances lists one page of the instances of an account and region
// that are not terminated.
func listInstances(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{
		Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"},
	}}}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, p.Limit)) // EC2's minimum page size is 5
	}
	out, err := env.AWS.EC2(p.Account, p.Region).DescribeInstances(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list instances in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			page.Refs = append(page.Refs, p.Ref(aws.ToString(in.InstanceId)))
		}
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

func normalizeInstance(account, region string, state json.RawMessage) (resource.Resource, error) {
	var in ec2types.Instance
	if err := json.Unmarshal(state, &in); err != nil {
		return resource.Resource{}, err
	}
	return InstanceResource(account, region, in), nil
}

// InstanceResource normalizes DescribeInstances' entry for one instance.
// Options EC2 left out are absent (unknown).
func InstanceResource(account, region string, in ec2types.Instance) resource.Resource {
	id := aws.ToString(in.InstanceId)
	props := map[string]any{"instance_id": id}
	if m := in.MetadataOptions; m != nil {
		if m.HttpTokens != "" {
			props["http_tokens"] = string(m.HttpTokens)
		}
		if m.HttpEndpoint != "" {
			props["http_endpoint"] = string(m.HttpEndpoint)
		}
	}
	return resource.Resource{
		Type: TypeInstance, ARN: InstanceARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: ec2Tags(in.Tags), Plane: resource.PlaneLive, Properties: props,
	}
}

func planInstance(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "id")
	r := plan.Identity(in, TypeInstance, id)
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "instance_id", id)
	// The block is computed when the configuration leaves it out (the AMI
	// decides), and so is each attribute the block leaves out.
	if m, ok := plan.FirstBlock(a, "metadata_options"); ok {
		plan.PutKnown(r.Properties, "http_tokens", m)
		plan.PutKnown(r.Properties, "http_endpoint", m)
	}
	return r, nil
}

const requireIMDSv2Action = "ec2_require_imdsv2"

// RequireIMDSv2 sets HttpTokens=required on an instance (FSBP EC2.8, CIS
// 5.6): its metadata service then answers only session-token (IMDSv2)
// requests, which an SSRF through the instance cannot make. Software on
// the instance that still speaks IMDSv1 (old SDKs and agents) loses its
// credentials, so the policy asks for approval first.
var RequireIMDSv2 = &kind.Action{
	Name:        requireIMDSv2Action,
	Permissions: []string{"ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"},
	Describe: func(params map[string]any) string {
		id, _ := params["instance_id"].(string)
		if id == "" {
			id = "the instance"
		}
		return "require IMDSv2 on " + id + " (HttpTokens=required): software on it that still uses IMDSv1 loses access to the instance's credentials"
	},
	Snapshot: snapshotIMDS,
	Apply:    applyIMDSv2,
	Undo:     undoIMDSv2,
}

// imdsSnapshot is HttpTokens before the change.
type imdsSnapshot struct {
	InstanceID string `json:"instance_id"`
	HTTPTokens string `json:"http_tokens"`
}

func snapshotIMDS(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramID(requireIMDSv2Action, "instance_id", ref, params)
	if err != nil {
		return nil, err
	}
	in, ok, err := describeInstance(ctx, env.AWS.EC2(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("InvalidInstanceID.NotFound", "snapshot instance %s: it no longer exists", id)
	}
	return imdsSnapshot{InstanceID: id, HTTPTokens: string(httpTokens(in))}, nil
}

// httpTokens reads an instance's HttpTokens; "" when EC2 left it out.
func httpTokens(in ec2types.Instance) ec2types.HttpTokensState {
	if in.MetadataOptions == nil {
		return ""
	}
	return in.MetadataOptions.HttpTokens
}

func applyIMDSv2(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramID(requireIMDSv2Action, "instance_id", ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	in, ok, err := describeInstance(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: fmt.Sprintf("instance %s no longer exists", id)}, nil
	case httpTokens(in) == ec2types.HttpTokensStateRequired:
		return kind.Applied{Summary: fmt.Sprintf("instance %s already requires IMDSv2", id)}, nil
	}
	if err := setHTTPTokens(ctx, client, id, ec2types.HttpTokensStateRequired); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("instance %s now requires IMDSv2 (HttpTokens=required)", id)}, nil
}

func undoIMDSv2(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap imdsSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.InstanceID == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", requireIMDSv2Action, ref.ID, err)
	}
	prev := ec2types.HttpTokensState(snap.HTTPTokens)
	if prev == ec2types.HttpTokensStateRequired || prev == "" {
		return nil // required already (or unknown): apply changed nothing
	}
	return setHTTPTokens(ctx, env.AWS.EC2(ref.Account, ref.Region), snap.InstanceID, prev)
}

// setHTTPTokens changes HttpTokens alone; the other options keep their
// values, since ModifyInstanceMetadataOptions changes only what it names.
func setHTTPTokens(ctx context.Context, client *ec2.Client, id string, tokens ec2types.HttpTokensState) error {
	if _, err := client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
		InstanceId: aws.String(id), HttpTokens: tokens,
	}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set HttpTokens=%s on instance %s", tokens, id), err)
	}
	return nil
}
