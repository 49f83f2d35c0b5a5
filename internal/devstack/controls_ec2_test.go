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
