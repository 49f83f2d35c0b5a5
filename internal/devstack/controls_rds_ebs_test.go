package devstack

import (
	"context"
	"strings"
	"testing"

	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
	svcrds "github.com/rectifyhq/rectify/internal/service/rds"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

const (
	policyRDSPublic      = "aws.rds.public_instance"
	policyEBSDefaultEncr = "aws.ec2.ebs_default_encryption"
)

// TestRDSPublicInstanceApprovedAndUndone: the human creates a publicly
// accessible DB instance; the CreateDBInstance event drives rectify to ask
// for approval (the policy's default mode), the approver approves, and the
// remediation role turns PubliclyAccessible off, verified and recorded.
// Undo makes it public again and tags the instance exempt.
func TestRDSPublicInstanceApprovedAndUndone(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "orders" + s.suffix
	ref := resource.Ref{Type: svcrds.TypeInstance, ID: id, ARN: svcrds.InstanceARN(Account, Region, id), Account: Account, Region: Region}
	client := rds.NewFromConfig(s.human())
	public := func() bool {
		t.Helper()
		out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.DBInstances[0].PubliclyAccessible)
	}

	if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("correct-horse-battery"), PubliclyAccessible: aws.Bool(true),
		// Protected and copying tags, so this story is about public access
		// alone (RDS.8 and RDS.17 are their own tests).
		DeletionProtection: aws.Bool(true), CopyTagsToSnapshot: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyRDSPublic, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if !public() {
		t.Fatal("the instance changed before anyone approved")
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if public() {
		t.Fatal("the instance is still publicly accessible after the remediation")
	}
	if n := s.events.count("ModifyDBInstance", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyDBInstance %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyRDSPublic, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "partner ingest connects over the public endpoint"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if !public() {
		t.Error("undo did not make the instance public again")
	}
	tags, err := client.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(ref.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	exempt := map[string]string{}
	for _, tg := range tags.TagList {
		exempt[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if exempt[activities.TagExempt] != policyRDSPublic || exempt[activities.TagExemptUntil] == "" {
		t.Errorf("tags after undo = %v, want the instance exempt from %s", exempt, policyRDSPublic)
	}
}

// TestEBSDefaultEncryptionReEnabled: the human turns EBS encryption by
// default off in the region; the DisableEbsEncryptionByDefault event drives
// rectify to turn it back on (enforce, the default), verified and recorded.
// Undo turns it off again; the setting has no tags to hold an exemption,
// so the workflow ends Undone with a note telling the human to add a
// config exemption.
func TestEBSDefaultEncryptionReEnabled(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	s.cloud.SetEBSEncryptionByDefault(Account, Region, true)
	ref := resource.Ref{Type: svcec2.TypeEBSEncryptionByDefault, ID: Region, ARN: svcec2.EBSEncryptionByDefaultARN(Account, Region), Account: Account, Region: Region}

	if _, err := s.ec2().DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyEBSDefaultEncr, ref.ARN)
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	out, err := s.ec2().GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.EbsEncryptionByDefault) {
		t.Fatal("EBS encryption by default is still off after the remediation")
	}
	if n := s.events.count("EnableEbsEncryptionByDefault", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role enabled EBS encryption by default %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyEBSDefaultEncr, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "AMI pipeline test"}); err != nil {
		t.Fatal(err)
	}
	st = s.waitState(wid, contract.StateUndone)
	if s.cloud.EBSEncryptionByDefault(Account, Region) {
		t.Error("undo did not turn EBS encryption by default off again")
	}
	if !strings.Contains(st.Reason, "NOT exempt") || !strings.Contains(st.Reason, "exemptions: [{arn:") {
		t.Errorf("reason after undo = %q, want it to point the human at a config exemption", st.Reason)
	}
}
