package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// accountSettingTypes are one per account and region: AWS gives them no id,
// no tags and nothing to list. A sweep yields the one setting of its region
// without a call, and exemptions for them are config entries only, since
// there is nowhere to write an exemption tag.
var accountSettingTypes = []string{resource.TypeEBSEncryptionByDefault}

func ebsEncryptionByDefault(ctx context.Context, client *ec2.Client, account, region string) (*bool, error) {
	out, err := client.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return nil, awsError(ctx, fmt.Sprintf("read EBS encryption by default in %s/%s", account, region), err)
	}
	return out.EbsEncryptionByDefault, nil
}

// fetchEBSEncryptionByDefault reads the region's setting. It always exists.
func (a *Activities) fetchEBSEncryptionByDefault(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	on, err := ebsEncryptionByDefault(ctx, a.AWS.EC2(ref.Account, ref.Region), ref.Account, ref.Region)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return live.EBSEncryptionByDefault(ref.Account, ref.Region, on), true, nil
}

// listEBSEncryptionByDefault is the sweep's one page: the setting of the
// sweep's region, found without an API call.
func (a *Activities) listEBSEncryptionByDefault(_ context.Context, in ListInput) (ListOutput, error) {
	return ListOutput{Refs: []resource.Ref{{
		Type: resource.TypeEBSEncryptionByDefault, ID: in.Region,
		ARN:     resource.EBSEncryptionByDefaultARN(in.Account, in.Region),
		Account: in.Account, Region: in.Region,
	}}}, nil
}

// ec2EnableEBSDefaultEncryption turns EBS encryption by default on in the
// resource's region. Only volumes created afterwards are affected.
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
		return "", permanent(ErrInvalidParams, "ec2_enable_ebs_default_encryption on %s: params.region: want a string, got %T", ref.ARN, raw)
	case r != ref.Region:
		return "", permanent(ErrInvalidParams, "ec2_enable_ebs_default_encryption on %s: params.region %s is not the resource's region %s", ref.ARN, r, ref.Region)
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

func (ec2EnableEBSDefaultEncryption) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	region, err := ebsRegion(ref, params)
	if err != nil {
		return nil, err
	}
	on, err := ebsEncryptionByDefault(ctx, a.AWS.EC2(ref.Account, region), ref.Account, region)
	if err != nil {
		return nil, err
	}
	return ebsDefaultSnapshot{Region: region, Enabled: aws.ToBool(on)}, nil
}

func (ec2EnableEBSDefaultEncryption) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	region, err := ebsRegion(ref, params)
	if err != nil {
		return ApplyOutput{}, err
	}
	client := a.AWS.EC2(ref.Account, region)
	on, err := ebsEncryptionByDefault(ctx, client, ref.Account, region)
	if err != nil {
		return ApplyOutput{}, err
	}
	if aws.ToBool(on) {
		return ApplyOutput{Summary: "EBS encryption by default is already on in " + region}, nil
	}
	if _, err := client.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{}); err != nil {
		return ApplyOutput{}, awsError(ctx, "enable EBS encryption by default in "+ref.Account+"/"+region, err)
	}
	return ApplyOutput{Changed: true, Summary: "turned on EBS encryption by default in " + region}, nil
}

func (ec2EnableEBSDefaultEncryption) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap ebsDefaultSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return permanent(ErrInvalidParams, "undo ec2_enable_ebs_default_encryption on %s: snapshot: %v", ref.ARN, err)
	}
	if snap.Enabled {
		return nil // it was on already: apply changed nothing
	}
	if _, err := a.AWS.EC2(ref.Account, snap.Region).DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{}); err != nil {
		return awsError(ctx, "disable EBS encryption by default in "+ref.Account+"/"+snap.Region, err)
	}
	return nil
}
