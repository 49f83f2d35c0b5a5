package ec2

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// EBSEncryptionByDefault is the per-region setting that encrypts every new
// EBS volume. AWS gives it no id, no tags and nothing to list: a sweep
// yields the one setting of its region without a call, and exemptions for
// it are config entries only. Its ARN is rectify's own (see
// EBSEncryptionByDefaultARN); ID and Name are the region.
//
// properties:
//
//	{"enabled": bool}   // GetEbsEncryptionByDefault.EbsEncryptionByDefault
var EBSEncryptionByDefault = &kind.Kind{
	Type:     TypeEBSEncryptionByDefault,
	Noun:     "EBS encryption-by-default setting",
	ASFFType: "Other",
	Scope:    kind.ScopeRegion,
	ARN:      func(account, region, _ string) string { return EBSEncryptionByDefaultARN(account, region) },
	ParseARN: func(a kind.ARN) (string, bool) {
		return a.Region, a.Service == "ec2" && a.Resource == "ebs-encryption-by-default"
	},
	Fetch:     fetchEBSEncryptionByDefault,
	Normalize: normalizeEBSEncryptionByDefault,
	Calls: []kind.Call{
		{Source: source, Names: []string{"EnableEbsEncryptionByDefault", "DisableEbsEncryptionByDefault"}},
	},
	Plan: plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){
		TypeEBSEncryptionByDefault: planEBSEncryptionByDefault,
	}},
	Actions:     []*kind.Action{EnableEBSEncryptionByDefault},
	Permissions: kind.Permissions{Read: []string{"ec2:GetEbsEncryptionByDefault"}},
}

// EBSEncryptionByDefaultARN names the per-region EBS default-encryption
// setting. AWS gives the setting no ARN; rectify needs one because resource
// identity, workflow IDs and finding IDs are all keyed by ARN.
func EBSEncryptionByDefaultARN(account, region string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":ebs-encryption-by-default"
}

// EnableEBSEncryptionByDefault turns EBS encryption by default on in the
// resource's region. Only volumes created afterwards are affected.
var EnableEBSEncryptionByDefault = &kind.Action{
	Name:        "ec2_enable_ebs_default_encryption",
	Permissions: []string{"ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault"},
	Describe:    ec2EnableEBSDefaultEncryption{}.describe,
	Snapshot:    ec2EnableEBSDefaultEncryption{}.snapshot,
	Apply:       ec2EnableEBSDefaultEncryption{}.apply,
	Undo:        ec2EnableEBSDefaultEncryption{}.undo,
}

func ebsEncryptionByDefault(ctx context.Context, client *ec2.Client, account, region string) (*bool, error) {
	out, err := client.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return nil, awserr.Wrap(ctx, fmt.Sprintf("read EBS encryption by default in %s/%s", account, region), err)
	}
	return out.EbsEncryptionByDefault, nil
}

// fetchEBSEncryptionByDefault reads the region's setting. It always exists.
func fetchEBSEncryptionByDefault(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	on, err := ebsEncryptionByDefault(ctx, env.AWS.EC2(ref.Account, ref.Region), ref.Account, ref.Region)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return EBSEncryptionByDefaultResource(ref.Account, ref.Region, on), true, nil
}

func normalizeEBSEncryptionByDefault(account, region string, state json.RawMessage) (resource.Resource, error) {
	var out ec2.GetEbsEncryptionByDefaultOutput
	if err := json.Unmarshal(state, &out); err != nil {
		return resource.Resource{}, err
	}
	return EBSEncryptionByDefaultResource(account, region, out.EbsEncryptionByDefault), nil
}

// EBSEncryptionByDefaultResource normalizes GetEbsEncryptionByDefault for
// one account and region. enabled is nil when EC2 left the flag out, which
// makes the property absent (unknown) rather than a false that would deny.
func EBSEncryptionByDefaultResource(account, region string, enabled *bool) resource.Resource {
	props := map[string]any{}
	if enabled != nil {
		props["enabled"] = *enabled
	}
	return resource.Resource{
		Type: TypeEBSEncryptionByDefault, ARN: EBSEncryptionByDefaultARN(account, region), ID: region, Name: region,
		Account: account, Region: region, Tags: map[string]string{}, Plane: resource.PlaneLive, Properties: props,
	}
}

// planEBSEncryptionByDefault is the per-region setting, named by its
// region as the live plane names it.
func planEBSEncryptionByDefault(in *plan.Instance) (resource.Resource, error) {
	r := plan.Identity(in, TypeEBSEncryptionByDefault, in.Region())
	r.ID = in.Region()
	r.Properties = map[string]any{}
	if v, ok := plan.Bool(in.After(), "enabled"); ok {
		r.Properties["enabled"] = v
	}
	return r, nil
}

type ec2EnableEBSDefaultEncryption struct{}

// ebsDefaultSnapshot is the setting before the change.
type ebsDefaultSnapshot struct {
	Region  string `json:"region"`
	Enabled bool   `json:"enabled"`
}

// ebsRegion checks that params.region, when the policy gave one, is the
// resource's region: the client is bound to ref.Region.
func ebsRegion(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["region"]
	if !ok || raw == nil {
		return ref.Region, nil
	}
	r, isString := raw.(string)
	switch {
	case !isString:
		return "", awserr.Permanent(awserr.InvalidParams, "ec2_enable_ebs_default_encryption on %s: params.region: want a string, got %T", ref.ARN, raw)
	case r != ref.Region:
		return "", awserr.Permanent(awserr.InvalidParams, "ec2_enable_ebs_default_encryption on %s: params.region %s is not the resource's region %s", ref.ARN, r, ref.Region)
	}
	return r, nil
}

func (ec2EnableEBSDefaultEncryption) describe(params map[string]any) string {
	region, _ := params["region"].(string)
	if region == "" {
		region = "the region"
	}
	return "turn on EBS encryption by default in " + region
}

func (ec2EnableEBSDefaultEncryption) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	region, err := ebsRegion(ref, params)
	if err != nil {
		return nil, err
	}
	on, err := ebsEncryptionByDefault(ctx, env.AWS.EC2(ref.Account, region), ref.Account, region)
	if err != nil {
		return nil, err
	}
	return ebsDefaultSnapshot{Region: region, Enabled: aws.ToBool(on)}, nil
}

func (ec2EnableEBSDefaultEncryption) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	region, err := ebsRegion(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.EC2(ref.Account, region)
	on, err := ebsEncryptionByDefault(ctx, client, ref.Account, region)
	if err != nil {
		return kind.Applied{}, err
	}
	if aws.ToBool(on) {
		return kind.Applied{Summary: "EBS encryption by default is already on in " + region}, nil
	}
	if _, err := client.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "enable EBS encryption by default in "+ref.Account+"/"+region, err)
	}
	return kind.Applied{Changed: true, Summary: "turned on EBS encryption by default in " + region}, nil
}

func (ec2EnableEBSDefaultEncryption) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap ebsDefaultSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo ec2_enable_ebs_default_encryption on %s: snapshot: %v", ref.ARN, err)
	}
	if snap.Enabled {
		return nil // it was on already: apply changed nothing
	}
	if _, err := env.AWS.EC2(ref.Account, snap.Region).DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{}); err != nil {
		return awserr.Wrap(ctx, "disable EBS encryption by default in "+ref.Account+"/"+snap.Region, err)
	}
	return nil
}
