package fakecloud

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEC2SubnetPublicIP: DescribeSubnets and ModifySubnetAttribute
// (MapPublicIpOnLaunch) through the SDK, with the CloudTrail shape
// detection reads.
func TestEC2SubnetPublicIP(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	ctx := t.Context()
	for _, sn := range []SubnetSeed{
		{ID: "subnet-0a", CIDR: "10.0.1.0/24", Tags: map[string]string{"Name": "public-a"}},
		{ID: "subnet-0b", VPCID: "vpc-0app", CIDR: "10.1.0.0/20", MapPublicIPOnLaunch: true},
	} {
		if err := c.SeedSubnet(DefaultAccount, sn); err != nil {
			t.Fatal(err)
		}
	}
	all := okEC2(client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}))(t)
	if len(all.Subnets) != 2 || aws.ToString(all.Subnets[0].SubnetId) != "subnet-0a" || aws.ToInt32(all.Subnets[0].AvailableIpAddressCount) != 251 ||
		aws.ToString(all.Subnets[1].VpcId) != "vpc-0app" || !aws.ToBool(all.Subnets[1].MapPublicIpOnLaunch) || len(all.Subnets[0].Tags) != 1 {
		t.Fatalf("DescribeSubnets = %+v", all.Subnets)
	}
	mapping := okEC2(client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("map-public-ip-on-launch"), Values: []string{"true"}},
	}}))(t)
	if len(mapping.Subnets) != 1 || aws.ToString(mapping.Subnets[0].SubnetId) != "subnet-0b" {
		t.Fatalf("filtered DescribeSubnets = %+v", mapping.Subnets)
	}
	_, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0ghost"}})
	wantEC2Error(t, err, "InvalidSubnetID.NotFound")

	okEC2(client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId: aws.String("subnet-0a"), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	}))(t)
	if on, ok := c.SubnetMapsPublicIP(DefaultAccount, DefaultRegion, "subnet-0a"); !ok || !on {
		t.Fatalf("MapPublicIpOnLaunch after the change = %v (exists %v), want true", on, ok)
	}
	req := tap.last(t, "ModifySubnetAttribute")["requestParameters"].(map[string]any)
	if req["subnetId"] != "subnet-0a" || req["mapPublicIpOnLaunch"].(map[string]any)["value"] != true {
		t.Fatalf("ModifySubnetAttribute event: %v", req)
	}

	_, err = client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String("subnet-0a")})
	wantEC2Error(t, err, "MissingParameter")
	_, err = client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId:                    aws.String("subnet-0a"),
		MapPublicIpOnLaunch:         &ec2types.AttributeBooleanValue{Value: aws.Bool(false)},
		AssignIpv6AddressOnCreation: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	})
	wantEC2Error(t, err, "InvalidParameterCombination")
	_, err = client.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId: aws.String("subnet-0ghost"), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)},
	})
	wantEC2Error(t, err, "InvalidSubnetID.NotFound")
}
