package fakecloud

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// TestRDSCopyTagsToSnapshot: CopyTagsToSnapshot on instances and clusters
// defaults off through the API (on for seeds, as the console ticks it),
// is changed by ModifyDBInstance/ModifyDBCluster, and is written to
// CloudTrail in the request and the response.
func TestRDSCopyTagsToSnapshot(t *testing.T) {
	c, client := newRDS(t)
	tap := tapEvents(c)
	ctx := t.Context()

	if d := rdsCreate(t, client, "plain", nil); aws.ToBool(d.CopyTagsToSnapshot) {
		t.Fatal("CreateDBInstance without CopyTagsToSnapshot should leave it off")
	}
	mod := okEC2(client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("plain"), CopyTagsToSnapshot: aws.Bool(true)}))(t)
	if !aws.ToBool(mod.DBInstance.CopyTagsToSnapshot) {
		t.Fatal("ModifyDBInstance did not turn CopyTagsToSnapshot on")
	}
	ev := tap.last(t, "ModifyDBInstance")
	req, _ := ev["requestParameters"].(map[string]any)
	resp, _ := ev["responseElements"].(map[string]any)
	if req["copyTagsToSnapshot"] != true || resp["copyTagsToSnapshot"] != true {
		t.Fatalf("ModifyDBInstance event: request %v response %v", req, resp)
	}
	if err := c.SeedDBInstance(DefaultAccount, DBInstanceSeed{Identifier: "seeded", Engine: "mysql"}); err != nil {
		t.Fatal(err)
	}
	out := okEC2(client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("seeded")}))(t)
	if !aws.ToBool(out.DBInstances[0].CopyTagsToSnapshot) {
		t.Fatal("a seeded instance should copy tags to snapshots unless the seed says otherwise")
	}

	created := okEC2(client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("ledger"), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("s3cret-s3cret")}))(t)
	if aws.ToBool(created.DBCluster.CopyTagsToSnapshot) {
		t.Fatal("CreateDBCluster without CopyTagsToSnapshot should leave it off")
	}
	cmod := okEC2(client.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("ledger"), CopyTagsToSnapshot: aws.Bool(true)}))(t)
	if !aws.ToBool(cmod.DBCluster.CopyTagsToSnapshot) {
		t.Fatal("ModifyDBCluster did not turn CopyTagsToSnapshot on")
	}
	ev = tap.last(t, "ModifyDBCluster")
	req, _ = ev["requestParameters"].(map[string]any)
	resp, _ = ev["responseElements"].(map[string]any)
	if req["copyTagsToSnapshot"] != true || resp["copyTagsToSnapshot"] != true {
		t.Fatalf("ModifyDBCluster event: request %v response %v", req, resp)
	}
	_, err := client.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("ledger"), BackupRetentionPeriod: aws.Int32(7)})
	wantEC2Error(t, err, "InvalidParameterValue") // not modeled: refused, never silently ignored
}
