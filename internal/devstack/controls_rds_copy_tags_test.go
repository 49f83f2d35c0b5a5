package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcrds "github.com/rectifyhq/rectify/internal/service/rds"
)

const (
	policyRDSInstanceCopyTags = "aws.rds.instance_copy_tags_to_snapshot"
	policyRDSClusterCopyTags  = "aws.rds.cluster_copy_tags_to_snapshot"
	undoReasonCopyTags        = "snapshots go to a vendor account that must not see our tags"
)

// TestRDSInstanceCopyTagsTurnedBackOn (FSBP RDS.17): the human turns
// CopyTagsToSnapshot off on a DB instance; the ModifyDBInstance event
// drives rectify to turn it on again (enforce), verified and recorded in
// Security Hub. Undo turns it off and tags the instance exempt.
func TestRDSInstanceCopyTagsTurnedBackOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "invoices" + s.suffix
	if err := s.cloud.SeedDBInstance(Account, fakecloud.DBInstanceSeed{Region: Region, Identifier: id, Engine: "postgres", DeletionProtection: true}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcrds.TypeInstance, ID: id, ARN: svcrds.InstanceARN(Account, Region, id), Account: Account, Region: Region}
	client := rds.NewFromConfig(s.human())
	copies := func() bool {
		t.Helper()
		out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.DBInstances[0].CopyTagsToSnapshot)
	}
	if !copies() {
		t.Fatal("the seeded instance does not copy tags to snapshots")
	}
	if _, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), CopyTagsToSnapshot: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	rid := contract.RemediationID(policyRDSInstanceCopyTags, ref.ARN)
	s.waitState(rid, contract.StateResolved)
	if !copies() {
		t.Fatal("after the remediation the instance still does not copy tags to snapshots")
	}
	if n := s.events.count("ModifyDBInstance", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyDBInstance %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyRDSInstanceCopyTags, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, rid, "", contract.UndoRequest{User: HumanUser, Reason: undoReasonCopyTags}); err != nil {
		t.Fatal(err)
	}
	s.waitState(rid, contract.StateUndone)
	if copies() {
		t.Error("after undo the instance copies tags to snapshots; want it off again")
	}
	wantExempt(t, rdsTags(ctx, t, client, ref.ARN), policyRDSInstanceCopyTags)
}

// TestRDSClusterCopyTagsTurnedBackOn (FSBP RDS.16): the human turns
// CopyTagsToSnapshot off on a DB cluster; the ModifyDBCluster event drives
// rectify to turn it on again (enforce), verified and recorded in Security
// Hub. Undo turns it off and tags the cluster exempt.
func TestRDSClusterCopyTagsTurnedBackOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id := "ledger" + s.suffix
	if err := s.cloud.SeedDBCluster(Account, fakecloud.DBClusterSeed{Region: Region, Identifier: id, Engine: "aurora-postgresql", DeletionProtection: true}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcrds.TypeCluster, ID: id, ARN: svcrds.ClusterARN(Account, Region, id), Account: Account, Region: Region}
	client := rds.NewFromConfig(s.human())
	copies := func() bool {
		t.Helper()
		out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.DBClusters[0].CopyTagsToSnapshot)
	}
	if !copies() {
		t.Fatal("the seeded cluster does not copy tags to snapshots")
	}
	if _, err := client.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String(id), CopyTagsToSnapshot: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	rid := contract.RemediationID(policyRDSClusterCopyTags, ref.ARN)
	if st := s.waitState(rid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if !copies() {
		t.Fatal("after the remediation the cluster still does not copy tags to snapshots")
	}
	if n := s.events.count("ModifyDBCluster", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called ModifyDBCluster %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyRDSClusterCopyTags, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, rid, "", contract.UndoRequest{User: HumanUser, Reason: undoReasonCopyTags}); err != nil {
		t.Fatal(err)
	}
	s.waitState(rid, contract.StateUndone)
	if copies() {
		t.Error("after undo the cluster copies tags to snapshots; want it off again")
	}
	wantExempt(t, rdsTags(ctx, t, client, ref.ARN), policyRDSClusterCopyTags)
}
