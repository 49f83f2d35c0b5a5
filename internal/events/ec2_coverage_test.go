package events

import "testing"

// TestParseEC2CoverageCalls: the calls that change the EBS snapshot, subnet
// and instance kinds, in CloudTrail's EC2 shapes (lists as {"items": […]},
// newer calls wrapped in <Action>Request/<Action>Response); the tagging
// calls every EC2 kind shares give each kind only its own ids.
func TestParseEC2CoverageCalls(t *testing.T) {
	const src = "ec2.amazonaws.com"
	type want struct {
		typ, id, arn string
		deleted      bool
	}
	snapshot := func(id string, deleted bool) want {
		return want{"aws_ebs_snapshot", id, "arn:aws:ec2:eu-west-1::snapshot/" + id, deleted}
	}
	subnet := func(id string, deleted bool) want {
		return want{"aws_subnet", id, "arn:aws:ec2:eu-west-1:123456789012:subnet/" + id, deleted}
	}
	vpc := func(id string, deleted bool) want {
		return want{"aws_vpc", id, "arn:aws:ec2:eu-west-1:123456789012:vpc/" + id, deleted}
	}
	instance := func(id string, deleted bool) want {
		return want{"aws_instance", id, "arn:aws:ec2:eu-west-1:123456789012:instance/" + id, deleted}
	}
	items := func(key string, ids ...string) map[string]any {
		var out []any
		for _, id := range ids {
			out = append(out, map[string]any{key: id})
		}
		return map[string]any{"items": out}
	}
	tests := []struct {
		name string
		body []byte
		want []want
	}{
		{"CreateSnapshot", rdsRecord(src, "CreateSnapshot", map[string]any{"volumeId": "vol-0a1"},
			map[string]any{"requestId": "r", "snapshotId": "snap-0b2", "volumeId": "vol-0a1", "status": "pending"}),
			[]want{snapshot("snap-0b2", false)}},
		{"CopySnapshot names the copy", rdsRecord(src, "CopySnapshot", map[string]any{"sourceSnapshotId": "snap-0b2", "sourceRegion": "eu-west-1"},
			map[string]any{"requestId": "r", "snapshotId": "snap-0c3"}),
			[]want{snapshot("snap-0c3", false)}},
		{"ModifySnapshotAttribute to all", rdsRecord(src, "ModifySnapshotAttribute", map[string]any{
			"snapshotId": "snap-0b2", "createVolumePermission": map[string]any{"add": items("group", "all")}, "attributeType": "CREATE_VOLUME_PERMISSION",
		}, map[string]any{"requestId": "r", "_return": true}),
			[]want{snapshot("snap-0b2", false)}},
		{"ResetSnapshotAttribute", rdsRecord(src, "ResetSnapshotAttribute", map[string]any{"snapshotId": "snap-0b2", "attribute": "createVolumePermission"}, nil),
			[]want{snapshot("snap-0b2", false)}},
		{"DeleteSnapshot", rdsRecord(src, "DeleteSnapshot", map[string]any{"snapshotId": "snap-0b2"}, map[string]any{"_return": true}),
			[]want{snapshot("snap-0b2", true)}},
		{"ModifySubnetAttribute", rdsRecord(src, "ModifySubnetAttribute", map[string]any{"subnetId": "subnet-0d4", "mapPublicIpOnLaunch": map[string]any{"value": true}},
			map[string]any{"requestId": "r", "_return": true}),
			[]want{subnet("subnet-0d4", false)}},
		{"CreateDefaultSubnet", rdsRecord(src, "CreateDefaultSubnet", map[string]any{"availabilityZone": "eu-west-1a"},
			map[string]any{"requestId": "r", "subnet": map[string]any{"subnetId": "subnet-0e5", "mapPublicIpOnLaunch": true, "defaultForAz": true}}),
			[]want{subnet("subnet-0e5", false)}},
		{"CreateSubnet", rdsRecord(src, "CreateSubnet", map[string]any{"vpcId": "vpc-0a", "cidrBlock": "10.0.1.0/24"},
			map[string]any{"requestId": "r", "subnet": map[string]any{"subnetId": "subnet-0f6", "mapPublicIpOnLaunch": false}}),
			[]want{subnet("subnet-0f6", false)}},
		{"DeleteSubnet", rdsRecord(src, "DeleteSubnet", map[string]any{"subnetId": "subnet-0d4"}, map[string]any{"_return": true}),
			[]want{subnet("subnet-0d4", true)}},
		{"CreateVpc", rdsRecord(src, "CreateVpc", map[string]any{"cidrBlock": "10.0.0.0/16", "instanceTenancy": "default"},
			map[string]any{"requestId": "r", "vpc": map[string]any{"vpcId": "vpc-0a1", "state": "pending", "isDefault": false}}),
			[]want{vpc("vpc-0a1", false)}},
		{"CreateDefaultVpc", rdsRecord(src, "CreateDefaultVpc", map[string]any{},
			map[string]any{"requestId": "r", "vpc": map[string]any{"vpcId": "vpc-0b2", "isDefault": true}}),
			[]want{vpc("vpc-0b2", false)}},
		{"DeleteVpc", rdsRecord(src, "DeleteVpc", map[string]any{"vpcId": "vpc-0a1"}, map[string]any{"_return": true}),
			[]want{vpc("vpc-0a1", true)}},
		{"ModifyInstanceMetadataOptions (wrapped)", rdsRecord(src, "ModifyInstanceMetadataOptions",
			map[string]any{"ModifyInstanceMetadataOptionsRequest": map[string]any{"InstanceId": "i-0a7", "HttpTokens": "optional"}},
			map[string]any{"ModifyInstanceMetadataOptionsResponse": map[string]any{"instanceId": "i-0a7", "requestId": "r",
				"instanceMetadataOptions": map[string]any{"httpTokens": "optional", "state": "pending"}}}),
			[]want{instance("i-0a7", false)}},
		{"RunInstances names every instance launched", rdsRecord(src, "RunInstances", map[string]any{"instanceType": "t3.micro"},
			map[string]any{"instancesSet": items("instanceId", "i-0b8", "i-0c9")}),
			[]want{instance("i-0b8", false), instance("i-0c9", false)}},
		{"TerminateInstances", rdsRecord(src, "TerminateInstances", map[string]any{"instancesSet": items("instanceId", "i-0b8")},
			map[string]any{"instancesSet": items("instanceId", "i-0b8")}),
			[]want{instance("i-0b8", true)}},
		{"CreateTags on an instance, a subnet and a snapshot", rdsRecord(src, "CreateTags", map[string]any{
			"resourcesSet": items("resourceId", "i-0a7", "subnet-0d4", "snap-0b2"), "tagSet": items("key", "rectify:exempt"),
		}, nil),
			[]want{snapshot("snap-0b2", false), subnet("subnet-0d4", false), instance("i-0a7", false)}},
		{"CreateTags on a group and a snapshot", rdsRecord(src, "CreateTags", map[string]any{
			"resourcesSet": items("resourceId", "sg-0f6", "snap-0b2"), "tagSet": items("key", "rectify:exempt"),
		}, nil),
			[]want{{"aws_security_group", "sg-0f6", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0f6", false}, snapshot("snap-0b2", false)}},
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
					tr.Account != "123456789012" {
					t.Errorf("trigger %d = %+v, want %+v", i, tr, w)
				}
			}
		})
	}
}
