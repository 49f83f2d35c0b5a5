package events

import "testing"

const coverageFixtureDir = "testdata/rds-trail-logging"

func TestParseSnapshotTrailLoggingFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []Trigger
	}{{
		file: "raw-rds-modify-db-snapshot-attribute.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-west-2",
			ResourceType: "aws_db_snapshot", ResourceID: "exfiltration", ARN: "arn:aws:rds:us-west-2:123456789012:snapshot:exfiltration",
			EventName: "ModifyDBSnapshotAttribute", EventID: "fef2bf02-bbea-4d0f-a91c-e6ccfe3fba46",
			ActorARN: "arn:aws:iam::123456789012:user/christophe", EventTime: at("2024-08-01T12:38:06Z"),
		}},
	}, {
		// A failed call is ignored, but still names the trail it aimed at.
		file: "logfile-cloudtrail-update-trail-error.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "123456789012", Region: "us-east-2",
			ResourceType: "aws_cloudtrail", ResourceID: "myTrail2", ARN: "arn:aws:cloudtrail:us-east-2:123456789012:trail/myTrail2",
			EventName: "UpdateTrail", EventID: "b7d4398e-b2f0-4faa-9c76-e2d316a8d67f",
			ActorARN: "arn:aws:iam::123456789012:user/Alice", EventTime: at("2016-07-14T19:15:45Z"),
			Ignored: true, Reason: "failed call: TrailNotFoundException",
		}},
	}, {
		file: "rule-test-s3-put-bucket-logging-disable.json",
		want: []Trigger{{
			Source: "cloudtrail", Account: "111111111111", Region: "us-west-2",
			ResourceType: "aws_s3_bucket", ResourceID: "critical-data-bucket", ARN: "arn:aws:s3:::critical-data-bucket",
			EventName: "PutBucketLogging", EventID: "12345678-1234-1234-1234-111111111111",
			ActorARN:  "arn:aws:sts::111111111111:assumed-role/sample-role-dreamy-yonath/sample-role-brave-yalow-role-intelligent-brahmagupta-role-beautiful-keldysh-role-happy-easley-role-bold-buck",
			IssuerARN: "arn:aws:iam::111111111111:role/sample-role-quirky-greider/sso.amazonaws.com/us-west-2/sample-role-dreamy-yonath",
			EventTime: at("2024-01-15T10:45:23Z"),
		}},
	}}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixtureIn(t, coverageFixtureDir, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertTriggers(t, got, tt.want)
		})
	}
	for _, name := range fixtureNamesIn(t, coverageFixtureDir) {
		if !covered[name] {
			t.Errorf("fixture %s has no expectation in this table", name)
		}
	}
}

// TestParseSnapshotAndClusterCalls: the calls that change the new RDS
// kinds, in the documented record shape; each kind resolves only its own
// ARNs from the tagging calls every RDS kind shares.
func TestParseSnapshotAndClusterCalls(t *testing.T) {
	const src = "rds.amazonaws.com"
	snap := func(id string) map[string]any {
		return map[string]any{"dBSnapshotIdentifier": id, "dBInstanceIdentifier": "orders", "status": "creating", "snapshotType": "manual",
			"dBSnapshotArn": "arn:aws:rds:eu-west-1:123456789012:snapshot:" + id}
	}
	cluster := func(id string) map[string]any {
		return map[string]any{"dBClusterIdentifier": id, "engine": "aurora-postgresql", "deletionProtection": false,
			"dBClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:" + id}
	}
	type want struct {
		typ, id string
		deleted bool
	}
	arn := map[string]string{"aws_db_snapshot": "snapshot:", "aws_rds_cluster": "cluster:", "aws_db_instance": "db:"}
	tests := []struct {
		name string
		body []byte
		want []want
	}{
		{"CreateDBSnapshot", rdsRecord(src, "CreateDBSnapshot", map[string]any{"dBSnapshotIdentifier": "Nightly", "dBInstanceIdentifier": "orders"}, snap("nightly")),
			[]want{{"aws_db_snapshot", "nightly", false}}},
		{"CopyDBSnapshot names the copy", rdsRecord(src, "CopyDBSnapshot", map[string]any{"sourceDBSnapshotIdentifier": "nightly", "targetDBSnapshotIdentifier": "nightly-copy"}, nil),
			[]want{{"aws_db_snapshot", "nightly-copy", false}}},
		{"ModifyDBSnapshotAttribute to all", rdsRecord(src, "ModifyDBSnapshotAttribute", map[string]any{"dBSnapshotIdentifier": "nightly", "attributeName": "restore", "valuesToAdd": []any{"all"}},
			map[string]any{"dBSnapshotIdentifier": "nightly", "dBSnapshotAttributes": []any{map[string]any{"attributeName": "restore", "attributeValues": []any{"all"}}}}),
			[]want{{"aws_db_snapshot", "nightly", false}}},
		{"DeleteDBSnapshot", rdsRecord(src, "DeleteDBSnapshot", map[string]any{"dBSnapshotIdentifier": "nightly"}, snap("nightly")),
			[]want{{"aws_db_snapshot", "nightly", true}}},
		{"CreateDBCluster", rdsRecord(src, "CreateDBCluster", map[string]any{"dBClusterIdentifier": "Ledger", "engine": "aurora-postgresql"}, cluster("ledger")),
			[]want{{"aws_rds_cluster", "ledger", false}}},
		{"ModifyDBCluster deletionProtection", rdsRecord(src, "ModifyDBCluster", map[string]any{"dBClusterIdentifier": "ledger", "deletionProtection": false}, cluster("ledger")),
			[]want{{"aws_rds_cluster", "ledger", false}}},
		{"RestoreDBClusterToPointInTime without a response", rdsRecord(src, "RestoreDBClusterToPointInTime", map[string]any{"dBClusterIdentifier": "ledger-pitr", "sourceDBClusterIdentifier": "ledger"}, nil),
			[]want{{"aws_rds_cluster", "ledger-pitr", false}}},
		{"DeleteDBCluster", rdsRecord(src, "DeleteDBCluster", map[string]any{"dBClusterIdentifier": "ledger", "skipFinalSnapshot": true}, cluster("ledger")),
			[]want{{"aws_rds_cluster", "ledger", true}}},
		{"AddTagsToResource on a snapshot", rdsRecord(src, "AddTagsToResource", map[string]any{"resourceName": "arn:aws:rds:eu-west-1:123456789012:snapshot:nightly", "tags": []any{}}, nil),
			[]want{{"aws_db_snapshot", "nightly", false}}},
		{"RemoveTagsFromResource on a cluster", rdsRecord(src, "RemoveTagsFromResource", map[string]any{"resourceName": "arn:aws:rds:eu-west-1:123456789012:cluster:ledger", "tagKeys": []any{"a"}}, nil),
			[]want{{"aws_rds_cluster", "ledger", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("triggers = %+v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				tr := got[i]
				wantARN := "arn:aws:rds:eu-west-1:123456789012:" + arn[w.typ] + w.id
				if tr.Ignored || tr.ResourceType != w.typ || tr.ResourceID != w.id || tr.ARN != wantARN || tr.Deleted != w.deleted {
					t.Errorf("trigger %d = %+v, want %+v (%s)", i, tr, w, wantARN)
				}
			}
		})
	}
}
