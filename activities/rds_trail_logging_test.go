package activities

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"go.temporal.io/sdk/temporal"

	"errors"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svccloudtrail "github.com/rectifyhq/rectify/internal/service/cloudtrail"
	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
	svcrds "github.com/rectifyhq/rectify/internal/service/rds"
	svcs3 "github.com/rectifyhq/rectify/internal/service/s3"
)

// TestCoverageActions runs each new action the way the workflow does,
// through the real SDK against the fake cloud: the policy denies, Snapshot
// reads, Apply fixes (and a second Apply changes nothing), the policy
// passes, Undo restores and the policy denies again, and undoing twice is
// undoing once.
func TestCoverageActions(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	ref := func(typ, id, arn string) resource.Ref {
		return resource.Ref{Type: typ, ID: id, ARN: arn, Account: acct, Region: region}
	}
	tests := []struct {
		policy, action string
		options        map[string]string
		// seed makes the violating resource and returns it.
		seed func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref
	}{
		{"aws.rds.snapshot_public", "rds_make_snapshot_private", nil, func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref {
			if err := c.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "orders", Engine: "postgres", DeletionProtection: true}); err != nil {
				t.Fatal(err)
			}
			client := a.AWS.RDS(acct, region)
			ctx := context.Background()
			if _, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: ptr("orders"), DBSnapshotIdentifier: ptr("Nightly")}); err != nil {
				t.Fatal(err)
			}
			if _, err := client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: ptr("nightly"), AttributeName: ptr("restore"), ValuesToAdd: []string{"all"}}); err != nil {
				t.Fatal(err)
			}
			return ref(svcrds.TypeSnapshot, "nightly", svcrds.SnapshotARN(acct, region, "nightly"))
		}},
		{"aws.rds.cluster_deletion_protection", "rds_enable_cluster_deletion_protection", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedDBCluster(acct, fakecloud.DBClusterSeed{Identifier: "ledger", Engine: "aurora-mysql"}); err != nil {
				t.Fatal(err)
			}
			return ref(svcrds.TypeCluster, "ledger", svcrds.ClusterARN(acct, region, "ledger"))
		}},
		{"aws.rds.instance_deletion_protection", "rds_enable_instance_deletion_protection", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "billing", Engine: "mariadb"}); err != nil {
				t.Fatal(err)
			}
			return ref(svcrds.TypeInstance, "billing", svcrds.InstanceARN(acct, region, "billing"))
		}},
		{"aws.rds.auto_minor_version_upgrade", "rds_enable_auto_minor_version_upgrade", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			off := false
			if err := c.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "billing", Engine: "mariadb", DeletionProtection: true, AutoMinorVersionUpgrade: &off}); err != nil {
				t.Fatal(err)
			}
			return ref(svcrds.TypeInstance, "billing", svcrds.InstanceARN(acct, region, "billing"))
		}},
		{"aws.cloudtrail.log_file_validation", "cloudtrail_enable_log_file_validation", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedTrail(acct, fakecloud.TrailSeed{Name: "main", Bucket: "logs", Logging: true, KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k"}); err != nil {
				t.Fatal(err)
			}
			return trailRef("main")
		}},
		{"aws.cloudtrail.kms_encryption", "cloudtrail_set_kms_key", map[string]string{svccloudtrail.KMSKeyOption: "from-seed"}, func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref {
			id, err := c.SeedKMSKey(acct, fakecloud.KMSKeySeed{RotationEnabled: true})
			if err != nil {
				t.Fatal(err)
			}
			a.Options[svccloudtrail.KMSKeyOption] = id // a key id: CloudTrail stores the ARN
			if err := c.SeedTrail(acct, fakecloud.TrailSeed{Name: "main", Bucket: "logs", Logging: true, LogFileValidation: true}); err != nil {
				t.Fatal(err)
			}
			return trailRef("main")
		}},
		{"aws.s3.access_logging", "s3_enable_access_logging", map[string]string{svcs3.LoggingTargetOption: "logs-{account}-{region}"}, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			for _, b := range []string{"data", "logs-" + acct + "-" + region} {
				if err := c.SeedBucket(acct, fakecloud.BucketSeed{Name: b}); err != nil {
					t.Fatal(err)
				}
			}
			return ref(svcs3.TypeBucket, "data", svcs3.BucketARN("data"))
		}},
		{"aws.ec2.snapshot_public", "ec2_make_snapshot_private", nil, func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref {
			if err := c.SeedVolume(acct, region, "vol-0data", 8); err != nil {
				t.Fatal(err)
			}
			client := a.AWS.EC2(acct, region)
			ctx := context.Background()
			out, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: ptr("vol-0data")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
				SnapshotId: out.SnapshotId, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
				CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Add: []ec2types.CreateVolumePermission{{Group: ec2types.PermissionGroupAll}}},
			}); err != nil {
				t.Fatal(err)
			}
			id := *out.SnapshotId
			return ref(svcec2.TypeEBSSnapshot, id, svcec2.EBSSnapshotARN(region, id))
		}},
		{"aws.ec2.subnet_public_ip", "ec2_disable_subnet_public_ip", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedSubnet(acct, fakecloud.SubnetSeed{Region: region, ID: "subnet-0a", CIDR: "10.0.1.0/24", MapPublicIPOnLaunch: true}); err != nil {
				t.Fatal(err)
			}
			return ref(svcec2.TypeSubnet, "subnet-0a", svcec2.SubnetARN(acct, region, "subnet-0a"))
		}},
		{"aws.ec2.imdsv2", "ec2_require_imdsv2", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedInstance(acct, fakecloud.InstanceSeed{Region: region, ID: "i-0legacy", HTTPTokens: "optional"}); err != nil {
				t.Fatal(err)
			}
			return ref(svcec2.TypeInstance, "i-0legacy", svcec2.InstanceARN(acct, region, "i-0legacy"))
		}},
		{"aws.ec2.vpc_flow_logs", "ec2_create_flow_logs", map[string]string{svcec2.FlowLogsDestinationOption: "arn:aws:s3:::{region}-flow-logs"},
			func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref {
				// A flow log a human made that records accepted traffic only:
				// it does not count, and undo must leave it.
				if _, err := c.SeedFlowLog(acct, fakecloud.FlowLogSeed{Region: region, TrafficType: "ACCEPT", Destination: "arn:aws:s3:::audit"}); err != nil {
					t.Fatal(err)
				}
				return ref(svcec2.TypeVPC, fakecloud.DefaultVPCID, svcec2.VPCARN(acct, region, fakecloud.DefaultVPCID))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) { actionLifecycle(t, tt.policy, tt.action, tt.options, tt.seed) })
	}
}

// actionLifecycle is TestCoverageActions for one policy and action.
func actionLifecycle(t *testing.T, policy, action string, options map[string]string, seed func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref) {
	t.Helper()
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	a.Options = map[string]string{}
	for k, v := range options {
		a.Options[k] = v
	}
	r := seed(t, cloud, a)
	params := violationParams(t, a, r, policy)
	if params == nil {
		t.Fatalf("%s does not deny the seeded resource", policy)
	}
	in := ActionInput{Action: action, Ref: r, Params: params}
	snap, err := a.Snapshot(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, wantChanged := range []bool{true, false} {
		out, err := a.Apply(ctx, in)
		if err != nil || out.Changed != wantChanged {
			t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
		}
	}
	if p := violationParams(t, a, r, policy); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	if err := a.Undo(ctx, UndoInput{Ref: r, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if p := violationParams(t, a, r, policy); p == nil {
		t.Fatal("undo did not restore the violation")
	}
	// A second undo (a retried activity) leaves it as the first did.
	if err := a.Undo(ctx, UndoInput{Ref: r, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if p := violationParams(t, a, r, policy); p == nil {
		t.Fatal("a repeated undo changed the resource")
	}
	if err := a.TagExempt(ctx, TagExemptInput{Ref: r, PolicyID: policy, Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if res, _, err := a.fetch(ctx, r); err != nil || res.Tags[TagExempt] != policy {
		t.Errorf("tags after TagExempt = %v, %v", res.Tags, err)
	}
}

func ptr(s string) *string { return &s }

// TestCoverageActionsRefuse: what the actions must not do, and the
// operator's mistakes they report as final errors naming what to fix.
func TestCoverageActionsRefuse(t *testing.T) {
	ctx := context.Background()
	const acct = fakecloud.DefaultAccount
	permanent := func(t *testing.T, err error, code string) {
		t.Helper()
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != code {
			t.Errorf("err = %v, want a final %s", err, code)
		}
	}

	t.Run("an EC2 action on another resource's id", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		if err := cloud.SeedSubnet(acct, fakecloud.SubnetSeed{Region: "us-east-1", ID: "subnet-0a", CIDR: "10.0.0.0/24", MapPublicIPOnLaunch: true}); err != nil {
			t.Fatal(err)
		}
		if err := cloud.SeedInstance(acct, fakecloud.InstanceSeed{Region: "us-east-1", ID: "i-0a", HTTPTokens: "optional"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			action, key string
			ref         resource.Ref
		}{
			{"ec2_disable_subnet_public_ip", "subnet_id", resource.Ref{Type: svcec2.TypeSubnet, ID: "subnet-0a", ARN: svcec2.SubnetARN(acct, "us-east-1", "subnet-0a"), Account: acct, Region: "us-east-1"}},
			{"ec2_require_imdsv2", "instance_id", resource.Ref{Type: svcec2.TypeInstance, ID: "i-0a", ARN: svcec2.InstanceARN(acct, "us-east-1", "i-0a"), Account: acct, Region: "us-east-1"}},
			{"ec2_make_snapshot_private", "snapshot_id", resource.Ref{Type: svcec2.TypeEBSSnapshot, ID: "snap-0a", ARN: svcec2.EBSSnapshotARN("us-east-1", "snap-0a"), Account: acct, Region: "us-east-1"}},
		} {
			_, err := a.Apply(ctx, ActionInput{Action: tc.action, Ref: tc.ref, Params: map[string]any{tc.key: "someone-else"}})
			permanent(t, err, "InvalidParams")
		}
		// Nothing changed.
		if on, _ := cloud.SubnetMapsPublicIP(acct, "us-east-1", "subnet-0a"); !on {
			t.Error("a refused apply changed the subnet")
		}
		if tokens, _ := cloud.InstanceHTTPTokens(acct, "us-east-1", "i-0a"); tokens != "optional" {
			t.Error("a refused apply changed the instance")
		}
	})

	t.Run("another resource's identifier", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		if err := cloud.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "billing", Engine: "mysql"}); err != nil {
			t.Fatal(err)
		}
		r := resource.Ref{Type: svcrds.TypeInstance, ID: "billing", ARN: svcrds.InstanceARN(acct, "us-east-1", "billing"), Account: acct, Region: "us-east-1"}
		_, err := a.Apply(ctx, ActionInput{Action: "rds_enable_instance_deletion_protection", Ref: r, Params: map[string]any{"identifier": "payroll"}})
		permanent(t, err, "InvalidParams")
	})

	t.Run("flow logs to a destination that is not an S3 bucket ARN, or of accepted traffic only", func(t *testing.T) {
		vpc := resource.Ref{Type: svcec2.TypeVPC, ID: fakecloud.DefaultVPCID, ARN: svcec2.VPCARN(acct, "us-east-1", fakecloud.DefaultVPCID), Account: acct, Region: "us-east-1"}
		for _, opts := range []map[string]string{
			{svcec2.FlowLogsDestinationOption: "arn:aws:logs:us-east-1:" + acct + ":log-group:vpc"},
			{svcec2.FlowLogsDestinationOption: "arn:aws:s3:::"},
			{svcec2.FlowLogsDestinationOption: "arn:aws:s3:::flow-logs", svcec2.FlowLogsTrafficOption: "ACCEPT"},
		} {
			cloud, a := newFakeActivities(t)
			a.Options = opts
			_, err := a.Apply(ctx, ActionInput{Action: "ec2_create_flow_logs", Ref: vpc})
			permanent(t, err, "InvalidParams")
			if logs := cloud.VPCFlowLogs(acct, "us-east-1", fakecloud.DefaultVPCID); len(logs) != 0 {
				t.Errorf("options %v: a refused apply made flow logs %v", opts, logs)
			}
		}
	})

	t.Run("log bucket logging into itself", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		a.Options = map[string]string{svcs3.LoggingTargetOption: "logs"}
		if err := cloud.SeedBucket(acct, fakecloud.BucketSeed{Name: "logs"}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Apply(ctx, ActionInput{Action: "s3_enable_access_logging", Ref: resource.Ref{Type: svcs3.TypeBucket, ID: "logs", ARN: svcs3.BucketARN("logs"), Account: acct, Region: "us-east-1"}})
		permanent(t, err, "InvalidParams")
		if b, _ := cloud.Bucket("logs"); b.Logging != nil {
			t.Errorf("the log bucket logs into %+v", b.Logging)
		}
	})

	t.Run("log bucket that does not exist", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		a.Options = map[string]string{svcs3.LoggingTargetOption: "nowhere"}
		if err := cloud.SeedBucket(acct, fakecloud.BucketSeed{Name: "data"}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Apply(ctx, ActionInput{Action: "s3_enable_access_logging", Ref: resource.Ref{Type: svcs3.TypeBucket, ID: "data", ARN: svcs3.BucketARN("data"), Account: acct, Region: "us-east-1"}})
		permanent(t, err, "InvalidTargetBucketForLogging")
	})

	t.Run("KMS key CloudTrail cannot use", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		a.Options = map[string]string{svccloudtrail.KMSKeyOption: "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"}
		if err := cloud.SeedTrail(acct, fakecloud.TrailSeed{Name: "main", Bucket: "logs", Logging: true}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Apply(ctx, ActionInput{Action: "cloudtrail_set_kms_key", Ref: trailRef("main")})
		permanent(t, err, "KmsKeyNotFoundException")
	})

	t.Run("required option missing", func(t *testing.T) {
		cloud, a := newFakeActivities(t)
		if err := cloud.SeedTrail(acct, fakecloud.TrailSeed{Name: "main", Bucket: "logs", Logging: true}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Apply(ctx, ActionInput{Action: "cloudtrail_set_kms_key", Ref: trailRef("main")})
		permanent(t, err, "InvalidParams")
	})
}

// TestSnapshotFetchAndList: the live document of a DB snapshot, and a
// sweep's pages of snapshots and clusters.
func TestSnapshotFetchAndList(t *testing.T) {
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	const acct = fakecloud.DefaultAccount
	if err := cloud.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "orders", Engine: "postgres"}); err != nil {
		t.Fatal(err)
	}
	client := a.AWS.RDS(acct, "us-east-1")
	var want []string
	for i := range 25 {
		id := "snap-" + string(rune('a'+i))
		want = append(want, id)
		if _, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: ptr("orders"), DBSnapshotIdentifier: ptr(id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: ptr("snap-a"), AttributeName: ptr("restore"), ValuesToAdd: []string{"444455556666", "111122223333"}}); err != nil {
		t.Fatal(err)
	}
	r := resource.Ref{Type: svcrds.TypeSnapshot, ID: "snap-a", ARN: svcrds.SnapshotARN(acct, "us-east-1", "snap-a"), Account: acct, Region: "us-east-1"}
	res, ok, err := a.fetch(ctx, r)
	if err != nil || !ok {
		t.Fatalf("fetch: %v, %v", ok, err)
	}
	props, _ := json.Marshal(res.Properties)
	if string(props) != `{"identifier":"snap-a","instance_identifier":"orders","shared_accounts":["111122223333","444455556666"]}` {
		t.Errorf("properties = %s", props)
	}
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		page, err := a.ListResources(ctx, ListInput{Account: acct, Region: "us-east-1", Type: svcrds.TypeSnapshot, Token: token, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Refs {
			got = append(got, r.ID)
		}
		if token = page.Token; token == "" {
			break
		}
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	if _, ok, err := a.fetch(ctx, resource.Ref{Type: svcrds.TypeSnapshot, ID: "gone", ARN: svcrds.SnapshotARN(acct, "us-east-1", "gone"), Account: acct, Region: "us-east-1"}); ok || err != nil {
		t.Errorf("a missing snapshot: exists %v, %v", ok, err)
	}
}
