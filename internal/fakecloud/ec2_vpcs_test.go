package fakecloud

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEC2VPCFlowLogs: DescribeVpcs (the default VPC is there from the
// start), CreateVpc, and CreateFlowLogs, DescribeFlowLogs and
// DeleteFlowLogs through the SDK, with the CloudTrail shapes detection
// reads.
func TestEC2VPCFlowLogs(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	ctx := t.Context()

	all := okEC2(client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}))(t)
	if len(all.Vpcs) != 1 || aws.ToString(all.Vpcs[0].VpcId) != DefaultVPCID || !aws.ToBool(all.Vpcs[0].IsDefault) ||
		aws.ToString(all.Vpcs[0].CidrBlock) != defaultVPCCIDR {
		t.Fatalf("DescribeVpcs in a new account = %+v", all.Vpcs)
	}
	made := okEC2(client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16"), TagSpecifications: []ec2types.TagSpecification{
		{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("orders")}}},
	}}))(t)
	id := aws.ToString(made.Vpc.VpcId)
	if resp := tap.last(t, "CreateVpc")["responseElements"].(map[string]any)["vpc"].(map[string]any); resp["vpcId"] != id || resp["cidrBlock"] != "10.20.0.0/16" {
		t.Fatalf("CreateVpc event responseElements.vpc = %v", resp)
	}
	one := okEC2(client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"orders"}}}}))(t)
	if len(one.Vpcs) != 1 || aws.ToString(one.Vpcs[0].VpcId) != id || aws.ToBool(one.Vpcs[0].IsDefault) {
		t.Fatalf("DescribeVpcs by tag = %+v", one.Vpcs)
	}
	_, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0ghost"}})
	wantEC2Error(t, err, "InvalidVpcID.NotFound")
	_, err = client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	wantEC2Error(t, err, "InvalidVpc.Range")

	create := &ec2.CreateFlowLogsInput{
		ResourceIds: []string{id, "vpc-0ghost"}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeReject,
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::acme-flow-logs"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcFlowLog, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
	}
	out := okEC2(client.CreateFlowLogs(ctx, create))(t)
	if len(out.FlowLogIds) != 1 || len(out.Unsuccessful) != 1 || aws.ToString(out.Unsuccessful[0].ResourceId) != "vpc-0ghost" ||
		aws.ToString(out.Unsuccessful[0].Error.Code) != "InvalidVpcID.NotFound" {
		t.Fatalf("CreateFlowLogs = %+v", out)
	}
	fl := out.FlowLogIds[0]
	req := tap.last(t, "CreateFlowLogs")["requestParameters"].(map[string]any)["CreateFlowLogsRequest"].(map[string]any)
	if req["TrafficType"] != "REJECT" || req["LogDestination"] != "arn:aws:s3:::acme-flow-logs" {
		t.Fatalf("CreateFlowLogs event = %v", req)
	}
	create.ResourceIds = []string{id}
	again := okEC2(client.CreateFlowLogs(ctx, create))(t)
	if len(again.FlowLogIds) != 0 || len(again.Unsuccessful) != 1 || aws.ToString(again.Unsuccessful[0].Error.Code) != "FlowLogAlreadyExists" {
		t.Fatalf("CreateFlowLogs of the same flow log = %+v", again)
	}
	logs := okEC2(client.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{id}}}}))(t)
	if len(logs.FlowLogs) != 1 || aws.ToString(logs.FlowLogs[0].FlowLogId) != fl || logs.FlowLogs[0].TrafficType != ec2types.TrafficTypeReject ||
		logs.FlowLogs[0].LogDestinationType != ec2types.LogDestinationTypeS3 || aws.ToString(logs.FlowLogs[0].FlowLogStatus) != "ACTIVE" ||
		len(logs.FlowLogs[0].Tags) != 1 || aws.ToString(logs.FlowLogs[0].LogFormat) != defaultFlowLogFormat {
		t.Fatalf("DescribeFlowLogs = %+v", logs.FlowLogs)
	}
	none := okEC2(client.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{DefaultVPCID}}}}))(t)
	if len(none.FlowLogs) != 0 {
		t.Fatalf("DescribeFlowLogs of the default VPC = %+v", none.FlowLogs)
	}
	_, err = client.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{id}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
		TrafficType: ec2types.TrafficTypeAll, LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("acme")})
	wantEC2Error(t, err, "InvalidParameter")

	del := okEC2(client.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{fl, "fl-0ghost"}}))(t)
	if len(del.Unsuccessful) != 1 || aws.ToString(del.Unsuccessful[0].ResourceId) != "fl-0ghost" {
		t.Fatalf("DeleteFlowLogs = %+v", del)
	}
	if ids := c.VPCFlowLogs(DefaultAccount, DefaultRegion, id); len(ids) != 0 {
		t.Fatalf("flow logs after DeleteFlowLogs = %v", ids)
	}
	if req := tap.last(t, "DeleteFlowLogs")["requestParameters"].(map[string]any)["DeleteFlowLogsRequest"].(map[string]any); req["FlowLogId"] == nil {
		t.Fatalf("DeleteFlowLogs event = %v", req)
	}
}
