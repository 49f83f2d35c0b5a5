package activities

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcrds "github.com/rectifyhq/rectify/internal/service/rds"
)

// TestCopyTagsActions: the copy-tags-to-snapshot actions (FSBP RDS.16,
// RDS.17) through the real SDK against the fake cloud, as
// TestCoverageActions runs the others.
func TestCopyTagsActions(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	off := false
	tests := []struct {
		policy, action string
		seed           func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref
	}{
		{"aws.rds.instance_copy_tags_to_snapshot", "rds_enable_instance_copy_tags_to_snapshot", func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedDBInstance(acct, fakecloud.DBInstanceSeed{Identifier: "billing", Engine: "mariadb", DeletionProtection: true, CopyTagsToSnapshot: &off}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svcrds.TypeInstance, ID: "billing", ARN: svcrds.InstanceARN(acct, region, "billing"), Account: acct, Region: region}
		}},
		{"aws.rds.cluster_copy_tags_to_snapshot", "rds_enable_cluster_copy_tags_to_snapshot", func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedDBCluster(acct, fakecloud.DBClusterSeed{Identifier: "ledger", Engine: "aurora-mysql", DeletionProtection: true, CopyTagsToSnapshot: &off}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svcrds.TypeCluster, ID: "ledger", ARN: svcrds.ClusterARN(acct, region, "ledger"), Account: acct, Region: region}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) { actionLifecycle(t, tt.policy, tt.action, nil, tt.seed) })
	}
}
