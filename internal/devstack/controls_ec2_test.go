package devstack

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
)

const (
	policyEC2SnapshotPublic = "aws.ec2.snapshot_public"
	policyEC2SubnetPublicIP = "aws.ec2.subnet_public_ip"
	policyEC2IMDSv2         = "aws.ec2.imdsv2"
)

// ec2ResourceTags reads the tags of any EC2 resource by id.
func ec2ResourceTags(ctx context.Context, t *testing.T, client *ec2.Client, id string) map[string]string {
	t.Helper()
	out, err := client.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// TestEBSSnapshotMadePrivate: the human snapshots a volume and shares the
// snapshot with every AWS account and with one partner account; the
// ModifySnapshotAttribute event drives rectify to take the group "all"
// away (enforce), leaving the partner's share, verified and recorded.
// Undo makes it public again and tags the snapshot exempt.
func TestEBSSnapshotMadePrivate(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	volume := "vol-0orders" + s.suffix
	if err := s.cloud.SeedVolume(Account, Region, volume, 20); err != nil {
		t.Fatal(err)
	}
	client := ec2.NewFromConfig(s.human())
	created, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(volume), Description: aws.String("orders nightly")})
	if err != nil {
		t.Fatal(err)
	}
	snap := aws.ToString(created.SnapshotId)
	if _, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(snap), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Add: []ec2types.CreateVolumePermission{
			{Group: ec2types.PermissionGroupAll}, {UserId: aws.String(sharedAccount)},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcec2.TypeEBSSnapshot, ID: snap, ARN: svcec2.EBSSnapshotARN(Region, snap), Account: Account, Region: Region}
	wid := contract.RemediationID(policyEC2SnapshotPublic, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	users, public, _ := s.cloud.SnapshotCreateVolumePermission(Account, Region, snap)
	if public || !slices.Equal(users, []string{sharedAccount}) {
		t.Fatalf("createVolumePermission after the remediation: public %t, accounts %v; want only the partner %s", public, users, sharedAccount)
	}
	if n := s.events.count("ModifySnapshotAttribute", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifySnapshotAttribute %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyEC2SnapshotPublic, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: otherAccountReason}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if users, public, _ := s.cloud.SnapshotCreateVolumePermission(Account, Region, snap); !public || !slices.Equal(users, []string{sharedAccount}) {
		t.Errorf("createVolumePermission after undo: public %t, accounts %v; want all and %s again", public, users, sharedAccount)
	}
	wantExempt(t, ec2ResourceTags(ctx, t, client, snap), policyEC2SnapshotPublic)
}

// TestSubnetPublicIPTurnedOff: the human makes a private subnet give every
// new instance a public IPv4 address; the ModifySubnetAttribute event
// drives rectify to turn MapPublicIpOnLaunch off again (enforce),
// verified and recorded. Undo turns it back on and tags the subnet exempt.
func TestSubnetPublicIPTurnedOff(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "subnet-0app" + s.suffix
	if err := s.cloud.SeedSubnet(Account, fakecloud.SubnetSeed{Region: Region, ID: id, CIDR: "10.0.1.0/24", Tags: map[string]string{"Name": "app-a"}}); err != nil {
		t.Fatal(err)
	}
	client := ec2.NewFromConfig(s.human())
	mapsPublic := func() bool {
		t.Helper()
		out, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.Subnets[0].MapPublicIpOnLaunch)
	}
	if _, err := client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId: aws.String(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcec2.TypeSubnet, ID: id, ARN: svcec2.SubnetARN(Account, Region, id), Account: Account, Region: Region}
	wid := contract.RemediationID(policyEC2SubnetPublicIP, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if mapsPublic() {
		t.Fatal("the subnet still maps public IPv4 addresses after the remediation")
	}
	if n := s.events.count("ModifySubnetAttribute", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifySubnetAttribute %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyEC2SubnetPublicIP, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "bastion subnet: reviewed by netsec"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if !mapsPublic() {
		t.Error("undo did not turn MapPublicIpOnLaunch back on")
	}
	wantExempt(t, ec2ResourceTags(ctx, t, client, id), policyEC2SubnetPublicIP)
}

// TestInstanceIMDSv2RequiredOnceApproved: the human lets an instance's
// metadata service answer IMDSv1 again; the ModifyInstanceMetadataOptions
// event raises the violation, which waits for approval (the policy's
// default: software on the instance may still speak IMDSv1). Approved,
// rectify sets HttpTokens=required, verified and recorded; undo restores
// optional and tags the instance exempt.
func TestInstanceIMDSv2RequiredOnceApproved(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "i-0web" + s.suffix
	if err := s.cloud.SeedInstance(Account, fakecloud.InstanceSeed{Region: Region, ID: id, Tags: map[string]string{"Name": "web"}}); err != nil {
		t.Fatal(err)
	}
	client := ec2.NewFromConfig(s.human())
	tokens := func() ec2types.HttpTokensState {
		t.Helper()
		out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Reservations[0].Instances[0].MetadataOptions.HttpTokens
	}
	if _, err := client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
		InstanceId: aws.String(id), HttpTokens: ec2types.HttpTokensStateOptional,
	}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcec2.TypeInstance, ID: id, ARN: svcec2.InstanceARN(Account, Region, id), Account: Account, Region: Region}
	wid := contract.RemediationID(policyEC2IMDSv2, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if got := tokens(); got != ec2types.HttpTokensStateOptional {
		t.Fatalf("HttpTokens while awaiting approval = %s, want optional: nothing changes before a person says so", got)
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if got := tokens(); got != ec2types.HttpTokensStateRequired {
		t.Fatalf("HttpTokens after the remediation = %s, want required", got)
	}
	if n := s.events.count("ModifyInstanceMetadataOptions", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyInstanceMetadataOptions %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyEC2IMDSv2, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "agent 1.2 still reads IMDSv1; upgrade on Friday"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if got := tokens(); got != ec2types.HttpTokensStateOptional {
		t.Errorf("HttpTokens after undo = %s, want optional again", got)
	}
	wantExempt(t, ec2ResourceTags(ctx, t, client, id), policyEC2IMDSv2)
}
