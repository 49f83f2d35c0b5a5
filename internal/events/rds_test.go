package events

import (
	"encoding/json"
	"testing"
)

// rdsRecord is a CloudTrail record in the shape RDS and EC2 write for
// management events: RDS's requestParameters and responseElements are the
// API shapes in camelCase with its "dBInstance…" spelling; EC2's newer
// calls wrap both in the request and response shape names.
func rdsRecord(source, eventName string, params, response any) []byte {
	rec := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLE:alice", "arn": "arn:aws:sts::123456789012:assumed-role/admin/alice",
			"accountId": "123456789012", "accessKeyId": "ASIAEXAMPLE",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{
				"type": "Role", "arn": "arn:aws:iam::123456789012:role/admin", "accountId": "123456789012", "userName": "admin",
			}},
		},
		"eventTime": "2026-11-30T09:00:00Z", "eventSource": source, "eventName": eventName,
		"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
		"requestParameters": params, "responseElements": response,
		"requestID": "R1", "eventID": "E-" + eventName, "readOnly": false, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": "123456789012", "eventCategory": "Management",
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseDBInstanceAndEBSCalls(t *testing.T) {
	const rdsSrc, ec2Src = "rds.amazonaws.com", "ec2.amazonaws.com"
	instance := func(id string, public bool) map[string]any {
		return map[string]any{
			"dBInstanceIdentifier": id, "dBInstanceClass": "db.t3.micro", "engine": "postgres",
			"dBInstanceStatus": "creating", "publiclyAccessible": public,
			"dBInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:" + id, "dbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		}
	}
	type want struct {
		typ, id, arn string
		deleted      bool
	}
	db := func(id string) want {
		return want{"aws_db_instance", id, "arn:aws:rds:eu-west-1:123456789012:db:" + id, false}
	}
	ebs := want{"aws_ebs_encryption_by_default", "eu-west-1", "arn:aws:ec2:eu-west-1:123456789012:ebs-encryption-by-default", false}
	tests := []struct {
		name string
		body []byte
		want []want
	}{
		{"CreateDBInstance, response names the stored id", rdsRecord(rdsSrc, "CreateDBInstance",
			map[string]any{"dBInstanceIdentifier": "Orders", "engine": "postgres", "dBInstanceClass": "db.t3.micro", "publiclyAccessible": true},
			instance("orders", true)), []want{db("orders")}},
		{"ModifyDBInstance publiclyAccessible", rdsRecord(rdsSrc, "ModifyDBInstance",
			map[string]any{"dBInstanceIdentifier": "orders", "publiclyAccessible": true, "applyImmediately": true},
			instance("orders", true)), []want{db("orders")}},
		{"ModifyDBInstance rename evaluates both names", rdsRecord(rdsSrc, "ModifyDBInstance",
			map[string]any{"dBInstanceIdentifier": "orders", "newDBInstanceIdentifier": "orders-v2", "applyImmediately": true},
			instance("orders-v2", false)), []want{db("orders-v2"), db("orders")}},
		{"CreateDBInstanceReadReplica", rdsRecord(rdsSrc, "CreateDBInstanceReadReplica",
			map[string]any{"dBInstanceIdentifier": "orders-replica", "sourceDBInstanceIdentifier": "orders", "publiclyAccessible": true},
			instance("orders-replica", true)), []want{db("orders-replica")}},
		{"RestoreDBInstanceFromDBSnapshot", rdsRecord(rdsSrc, "RestoreDBInstanceFromDBSnapshot",
			map[string]any{"dBInstanceIdentifier": "restored", "dBSnapshotIdentifier": "snap-1", "publiclyAccessible": true},
			instance("restored", true)), []want{db("restored")}},
		{"RestoreDBInstanceToPointInTime without a response", rdsRecord(rdsSrc, "RestoreDBInstanceToPointInTime",
			map[string]any{"sourceDBInstanceIdentifier": "orders", "targetDBInstanceIdentifier": "Orders-PITR", "useLatestRestorableTime": true},
			nil), []want{db("orders-pitr")}},
		{"DeleteDBInstance", rdsRecord(rdsSrc, "DeleteDBInstance",
			map[string]any{"dBInstanceIdentifier": "orders", "skipFinalSnapshot": true},
			instance("orders", false)), []want{{"aws_db_instance", "orders", "arn:aws:rds:eu-west-1:123456789012:db:orders", true}}},
		{"AddTagsToResource on an instance", rdsRecord(rdsSrc, "AddTagsToResource",
			map[string]any{"resourceName": "arn:aws:rds:eu-west-1:123456789012:db:orders", "tags": []any{map[string]any{"key": "rectify:exempt", "value": "all"}}},
			nil), []want{db("orders")}},
		{"RemoveTagsFromResource on an instance", rdsRecord(rdsSrc, "RemoveTagsFromResource",
			map[string]any{"resourceName": "arn:aws:rds:eu-west-1:123456789012:db:orders", "tagKeys": []any{"rectify:exempt"}},
			nil), []want{db("orders")}},
		{"EnableEbsEncryptionByDefault", rdsRecord(ec2Src, "EnableEbsEncryptionByDefault",
			map[string]any{"EnableEbsEncryptionByDefaultRequest": ""},
			map[string]any{"EnableEbsEncryptionByDefaultResponse": map[string]any{"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": "R1", "ebsEncryptionByDefault": true}}),
			[]want{ebs}},
		{"DisableEbsEncryptionByDefault", rdsRecord(ec2Src, "DisableEbsEncryptionByDefault",
			map[string]any{"DisableEbsEncryptionByDefaultRequest": ""},
			map[string]any{"DisableEbsEncryptionByDefaultResponse": map[string]any{"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": "R1", "ebsEncryptionByDefault": false}}),
			[]want{ebs}},
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
				if tr.Ignored || tr.ResourceType != w.typ || tr.ResourceID != w.id || tr.ARN != w.arn || tr.Deleted != w.deleted ||
					tr.Account != "123456789012" || tr.Region != "eu-west-1" || tr.ActorARN != "arn:aws:sts::123456789012:assumed-role/admin/alice" {
					t.Errorf("trigger %d = %+v, want %+v", i, tr, w)
				}
			}
		})
	}
}

func TestParseDBInstanceIgnores(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{"tags on a cluster snapshot", rdsRecord("rds.amazonaws.com", "AddTagsToResource",
			map[string]any{"resourceName": "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:snap-1", "tags": []any{}}, nil)},
		{"a parameter group change", rdsRecord("rds.amazonaws.com", "ModifyDBParameterGroup",
			map[string]any{"dBParameterGroupName": "pg-1"}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !got[0].Ignored {
				t.Fatalf("triggers = %+v, want one ignored", got)
			}
		})
	}
	// A failed call is ignored but still names the instance it aimed at.
	var rec map[string]any
	_ = json.Unmarshal(rdsRecord("rds.amazonaws.com", "ModifyDBInstance", map[string]any{"dBInstanceIdentifier": "orders", "publiclyAccessible": true}, nil), &rec)
	rec["errorCode"], rec["errorMessage"] = "DBInstanceNotFound", "DBInstance orders not found."
	body, _ := json.Marshal(rec)
	got, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Ignored || got[0].ResourceID != "orders" {
		t.Fatalf("failed ModifyDBInstance: triggers = %+v", got)
	}
	// A record without any instance identifier is malformed, not ignored.
	if _, err := Parse(rdsRecord("rds.amazonaws.com", "ModifyDBInstance", map[string]any{"publiclyAccessible": true}, nil)); err == nil {
		t.Fatal("ModifyDBInstance naming no instance parsed without error")
	}
}
