package devstack

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svccloudtrail "github.com/rectifyhq/rectify/internal/service/cloudtrail"
	svcrds "github.com/rectifyhq/rectify/internal/service/rds"
	svcs3 "github.com/rectifyhq/rectify/internal/service/s3"
)

const (
	policyRDSSnapshotPublic      = "aws.rds.snapshot_public"
	policyRDSClusterProtection   = "aws.rds.cluster_deletion_protection"
	policyRDSInstanceProtection  = "aws.rds.instance_deletion_protection"
	policyRDSMinorUpgrades       = "aws.rds.auto_minor_version_upgrade"
	policyCloudTrailValidation   = "aws.cloudtrail.log_file_validation"
	policyCloudTrailKMS          = "aws.cloudtrail.kms_encryption"
	policyS3AccessLogging        = "aws.s3.access_logging"
	sharedAccount                = "111122223333"
	otherAccountReason           = "partner restores it in their account"
	undoReasonDeletionProtection = "decommissioning: the owner deletes it this week"
)

// rdsTags reads the tags of any RDS resource by ARN.
func rdsTags(ctx context.Context, t *testing.T, client *rds.Client, arn string) map[string]string {
	t.Helper()
	out, err := client.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.TagList {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// wantExempt checks the exemption an undo leaves on a resource.
func wantExempt(t *testing.T, tags map[string]string, policy string) {
	t.Helper()
	if tags[activities.TagExempt] != policy || tags[activities.TagExemptUntil] == "" {
		t.Errorf("tags after undo = %v, want the resource exempt from %s", tags, policy)
	}
}

// TestRDSSnapshotMadePrivate: the human shares a manual DB snapshot with
// every AWS account (and with one partner account); the
// ModifyDBSnapshotAttribute event drives rectify to take "all" away
// (enforce), leaving the partner's share, verified and recorded. Undo
// makes it public again and tags the snapshot exempt.
func TestRDSSnapshotMadePrivate(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	db, snap := "orders"+s.suffix, "orders-nightly"+s.suffix
	if err := s.cloud.SeedDBInstance(Account, fakecloud.DBInstanceSeed{Region: Region, Identifier: db, Engine: "postgres", DeletionProtection: true}); err != nil {
		t.Fatal(err)
	}
	client := rds.NewFromConfig(s.human())
	if _, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(db), DBSnapshotIdentifier: aws.String(snap)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
		DBSnapshotIdentifier: aws.String(snap), AttributeName: aws.String("restore"), ValuesToAdd: []string{"all", sharedAccount},
	}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcrds.TypeSnapshot, ID: snap, ARN: svcrds.SnapshotARN(Account, Region, snap), Account: Account, Region: Region}
	wid := contract.RemediationID(policyRDSSnapshotPublic, ref.ARN)
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	restore, _ := s.cloud.SnapshotRestore(Account, Region, snap)
	if !slices.Equal(restore, []string{sharedAccount}) {
		t.Fatalf("restore attribute after the remediation = %v, want only the partner %s", restore, sharedAccount)
	}
	if n := s.events.count("ModifyDBSnapshotAttribute", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyDBSnapshotAttribute %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyRDSSnapshotPublic, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: otherAccountReason}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if restore, _ := s.cloud.SnapshotRestore(Account, Region, snap); !slices.Contains(restore, "all") || !slices.Contains(restore, sharedAccount) {
		t.Errorf("restore attribute after undo = %v, want all and %s again", restore, sharedAccount)
	}
	wantExempt(t, rdsTags(ctx, t, client, ref.ARN), policyRDSSnapshotPublic)
}

// TestRDSClusterDeletionProtectionTurnedOn: the human creates an Aurora
// cluster without deletion protection; the CreateDBCluster event drives
// rectify to turn it on (enforce), so the human's own DeleteDBCluster is
// then refused. Undo turns it off again and tags the cluster exempt.
func TestRDSClusterDeletionProtectionTurnedOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "ledger" + s.suffix
	ref := resource.Ref{Type: svcrds.TypeCluster, ID: id, ARN: svcrds.ClusterARN(Account, Region, id), Account: Account, Region: Region}
	client := rds.NewFromConfig(s.human())
	protected := func() bool {
		t.Helper()
		out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.DBClusters[0].DeletionProtection)
	}
	if _, err := client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String(id), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("correct-horse-battery"),
		CopyTagsToSnapshot: aws.Bool(true), // so this story is about deletion protection alone (RDS.16 is its own test)
	}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyRDSClusterProtection, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if !protected() {
		t.Fatal("deletion protection is still off after the remediation")
	}
	if n := s.events.count("ModifyDBCluster", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyDBCluster %d times, want 1", n)
	}
	_, err := client.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
	if awserr.Code(err) != "InvalidParameterCombination" {
		t.Errorf("DeleteDBCluster of the protected cluster: %v, want InvalidParameterCombination", err)
	}
	s.wantResolvedFinding(ctx, policyRDSClusterProtection, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: undoReasonDeletionProtection}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if protected() {
		t.Error("undo did not turn deletion protection off again")
	}
	wantExempt(t, rdsTags(ctx, t, client, ref.ARN), policyRDSClusterProtection)
}

// TestRDSInstanceProtectionAndMinorUpgradesTurnedBackOn: the human turns
// deletion protection and automatic minor version upgrades off on a DB
// instance in one ModifyDBInstance; that one event drives two controls,
// each its own workflow and its own ModifyDBInstance, both enforced,
// verified and recorded. Undo of the minor-upgrade fix turns only that
// flag off again.
func TestRDSInstanceProtectionAndMinorUpgradesTurnedBackOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "billing" + s.suffix
	if err := s.cloud.SeedDBInstance(Account, fakecloud.DBInstanceSeed{Region: Region, Identifier: id, Engine: "mysql", DeletionProtection: true}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcrds.TypeInstance, ID: id, ARN: svcrds.InstanceARN(Account, Region, id), Account: Account, Region: Region}
	client := rds.NewFromConfig(s.human())
	flags := func() (protected, upgrades bool) {
		t.Helper()
		out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.DBInstances[0].DeletionProtection), aws.ToBool(out.DBInstances[0].AutoMinorVersionUpgrade)
	}
	if _, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(false), AutoMinorVersionUpgrade: aws.Bool(false),
	}); err != nil {
		t.Fatal(err)
	}
	protectionID := contract.RemediationID(policyRDSInstanceProtection, ref.ARN)
	upgradesID := contract.RemediationID(policyRDSMinorUpgrades, ref.ARN)
	s.waitState(protectionID, contract.StateResolved)
	s.waitState(upgradesID, contract.StateResolved)
	if protected, upgrades := flags(); !protected || !upgrades {
		t.Fatalf("after the remediations: deletion protection %t, minor upgrades %t; want both on", protected, upgrades)
	}
	if n := s.events.count("ModifyDBInstance", RemediationRoleName); n != 2 {
		t.Errorf("the remediation role called ModifyDBInstance %d times, want 2 (one per control)", n)
	}
	s.wantResolvedFinding(ctx, policyRDSInstanceProtection, ref)
	s.wantResolvedFinding(ctx, policyRDSMinorUpgrades, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, upgradesID, "", contract.UndoRequest{User: HumanUser, Reason: "vendor certifies 8.0.39 only"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(upgradesID, contract.StateUndone)
	if protected, upgrades := flags(); !protected || upgrades {
		t.Errorf("after undo: deletion protection %t, minor upgrades %t; want protection kept and upgrades off", protected, upgrades)
	}
	wantExempt(t, rdsTags(ctx, t, client, ref.ARN), policyRDSMinorUpgrades)
}

// seedTrail seeds a logging, validated, KMS-encrypted trail: compliant
// with every trail control, so each test breaks one.
func seedTrail(t *testing.T, s *stack, kmsKey string) (string, resource.Ref) {
	t.Helper()
	name := "org-trail" + s.suffix
	if err := s.cloud.SeedTrail(Account, fakecloud.TrailSeed{Name: name, Region: Region, Bucket: DemoBucket + s.suffix, MultiRegion: true,
		Logging: true, LogFileValidation: true, KMSKeyID: kmsKey}); err != nil {
		t.Fatal(err)
	}
	return name, resource.Ref{Type: svccloudtrail.TypeTrail, ID: name, ARN: svccloudtrail.TrailARN(Account, Region, name), Account: Account, Region: Region}
}

// seedTrailKey makes a customer KMS key for trails.
func seedTrailKey(t *testing.T, s *stack) string {
	t.Helper()
	id, err := s.cloud.SeedKMSKey(Account, fakecloud.KMSKeySeed{Region: Region, Description: "cloudtrail" + s.suffix, RotationEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return "arn:aws:kms:" + Region + ":" + Account + ":key/" + id
}

func describeTrail(ctx context.Context, t *testing.T, client *cloudtrail.Client, name string) (validation bool, key string) {
	t.Helper()
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{name}})
	if err != nil || len(out.TrailList) != 1 {
		t.Fatalf("describe trail %s: %v, %d trails", name, err, len(out.TrailList))
	}
	return aws.ToBool(out.TrailList[0].LogFileValidationEnabled), aws.ToString(out.TrailList[0].KmsKeyId)
}

// TestCloudTrailLogFileValidationTurnedBackOn: the human turns log file
// validation off; the UpdateTrail event drives rectify to turn it on
// (enforce), verified and recorded; undo turns it off again.
func TestCloudTrailLogFileValidationTurnedBackOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name, ref := seedTrail(t, s, seedTrailKey(t, s))
	client := cloudtrail.NewFromConfig(s.human())
	if _, err := client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), EnableLogFileValidation: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyCloudTrailValidation, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if on, _ := describeTrail(ctx, t, client, name); !on {
		t.Fatal("log file validation is still off after the remediation")
	}
	if n := s.events.count("UpdateTrail", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called UpdateTrail %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyCloudTrailValidation, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "digest bucket migration"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if on, _ := describeTrail(ctx, t, client, name); on {
		t.Error("undo did not turn log file validation off again")
	}
}

// TestCloudTrailKMSKeyNotifiedUntilConfigured: without
// remediation.cloudtrail.kms_key_id the human's removal of the trail's key
// is only notified, and the message names the setting; nothing changes.
func TestCloudTrailKMSKeyNotifiedUntilConfigured(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name, ref := seedTrail(t, s, seedTrailKey(t, s))
	client := cloudtrail.NewFromConfig(s.human())
	if _, err := client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), KmsKeyId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyCloudTrailKMS, ref.ARN)
	if st := s.waitState(wid, contract.StateNotified); st.Mode != contract.ModeNotify {
		t.Errorf("mode = %s, want notify until the key is configured", st.Mode)
	}
	f := s.finding(ctx, policyCloudTrailKMS, ref, shtypes.WorkflowStatusNotified)
	if !strings.Contains(aws.ToString(f.Description), "remediation."+svccloudtrail.KMSKeyOption) {
		t.Errorf("finding description %q does not name remediation.%s", aws.ToString(f.Description), svccloudtrail.KMSKeyOption)
	}
	if _, key := describeTrail(ctx, t, client, name); key != "" {
		t.Errorf("the trail has key %q, want none: notify changes nothing", key)
	}
	if n := s.events.count("UpdateTrail", RemediationRoleName); n != 0 {
		t.Errorf("the remediation role called UpdateTrail %d times, want 0", n)
	}
}

// TestCloudTrailKMSKeySetOnceConfiguredAndApproved: with the key in the
// config, the human's removal of the trail's key waits for approval (the
// policy's default: readers of the logs need kms:Decrypt); approved,
// rectify puts the configured key back, verified and recorded; undo takes
// it off again.
func TestCloudTrailKMSKeySetOnceConfiguredAndApproved(t *testing.T) {
	ctx := context.Background()
	var key string
	s := newStack(t, nil, func(s *stack) {
		key = seedTrailKey(t, s)
		s.cfg.Remediation = map[string]any{"cloudtrail": map[string]any{"kms_key_id": key}}
	})
	name, ref := seedTrail(t, s, key)
	client := cloudtrail.NewFromConfig(s.human())
	if _, err := client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), KmsKeyId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyCloudTrailKMS, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if _, got := describeTrail(ctx, t, client, name); got != key {
		t.Fatalf("trail key after the remediation = %q, want %s", got, key)
	}
	s.wantResolvedFinding(ctx, policyCloudTrailKMS, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "SIEM lacks kms:Decrypt yet"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if _, got := describeTrail(ctx, t, client, name); got != "" {
		t.Errorf("trail key after undo = %q, want none", got)
	}
}

// TestS3AccessLoggingNotifiedThenEnabled: the human turns the demo
// bucket's access logging off. Without remediation.s3_logging.target_bucket
// that is only notified; with it (a second stack), rectify turns logging
// on into the configured bucket under the bucket's own prefix (enforce),
// verified and recorded, and undo turns it off again.
func TestS3AccessLoggingNotifiedThenEnabled(t *testing.T) {
	ctx := context.Background()
	off := func(s *stack) resource.Ref {
		t.Helper()
		name := DemoBucket + s.suffix
		if _, err := s.s3().PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(name), BucketLoggingStatus: &s3types.BucketLoggingStatus{}}); err != nil {
			t.Fatal(err)
		}
		return resource.Ref{Type: svcs3.TypeBucket, ID: name, ARN: svcs3.BucketARN(name), Account: Account, Region: Region}
	}

	t.Run("notify until configured", func(t *testing.T) {
		s := newStack(t, nil)
		ref := off(s)
		wid := contract.RemediationID(policyS3AccessLogging, ref.ARN)
		if st := s.waitState(wid, contract.StateNotified); st.Mode != contract.ModeNotify {
			t.Errorf("mode = %s, want notify until a target is configured", st.Mode)
		}
		f := s.finding(ctx, policyS3AccessLogging, ref, shtypes.WorkflowStatusNotified)
		if !strings.Contains(aws.ToString(f.Description), "remediation."+svcs3.LoggingTargetOption) {
			t.Errorf("finding description %q does not name remediation.%s", aws.ToString(f.Description), svcs3.LoggingTargetOption)
		}
		if b, _ := s.cloud.Bucket(ref.ID); b.Logging != nil {
			t.Errorf("logging = %+v, want off: notify changes nothing", b.Logging)
		}
	})

	t.Run("enforced into the configured bucket", func(t *testing.T) {
		// {region} resolves, per bucket, to the region's log bucket.
		s := newStack(t, func(c *config.Config) {
			c.Remediation = map[string]any{"s3_logging": map[string]any{"target_bucket": "{region}-" + DemoLogBucket}}
		}, func(s *stack) {
			if err := s.cloud.SeedBucket(Account, fakecloud.BucketSeed{Name: Region + "-" + DemoLogBucket, Region: Region}); err != nil {
				t.Fatal(err)
			}
		})
		ref := off(s)
		wid := contract.RemediationID(policyS3AccessLogging, ref.ARN)
		if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
			t.Errorf("remediations = %d, want 1", st.Remediations)
		}
		b, _ := s.cloud.Bucket(ref.ID)
		if want := (fakecloud.BucketLoggingSeed{TargetBucket: Region + "-" + DemoLogBucket, TargetPrefix: ref.ID + "/"}); b.Logging == nil || *b.Logging != want {
			t.Fatalf("logging after the remediation = %+v, want %+v", b.Logging, want)
		}
		if n := s.events.count("PutBucketLogging", RemediationRoleName); n != 1 {
			t.Errorf("the remediation role called PutBucketLogging %d times, want 1", n)
		}
		s.wantResolvedFinding(ctx, policyS3AccessLogging, ref)

		if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "moving logs to the org archive"}); err != nil {
			t.Fatal(err)
		}
		s.waitState(wid, contract.StateUndone)
		if b, _ := s.cloud.Bucket(ref.ID); b.Logging != nil {
			t.Errorf("logging after undo = %+v, want off", b.Logging)
		}
	})
}
