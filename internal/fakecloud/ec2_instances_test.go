package fakecloud

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEC2InstanceMetadataOptions: DescribeInstances and
// ModifyInstanceMetadataOptions through the SDK, with the wrapped
// CloudTrail shape detection reads.
func TestEC2InstanceMetadataOptions(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	ctx := t.Context()
	if err := c.SeedSubnet(DefaultAccount, SubnetSeed{ID: "subnet-0a", VPCID: "vpc-0app", CIDR: "10.0.1.0/24"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SeedInstance(DefaultAccount, InstanceSeed{ID: "i-0web", SubnetID: "subnet-0a", Tags: map[string]string{"Name": "web"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SeedInstance(DefaultAccount, InstanceSeed{ID: "i-0legacy", HTTPTokens: "optional"}); err != nil {
		t.Fatal(err)
	}
	tokens := func(id string) ec2types.HttpTokensState {
		t.Helper()
		out := okEC2(client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}))(t)
		return out.Reservations[0].Instances[0].MetadataOptions.HttpTokens
	}
	all := okEC2(client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t)
	if len(all.Reservations) != 2 {
		t.Fatalf("DescribeInstances: %d reservations, want 2", len(all.Reservations))
	}
	web := okEC2(client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0web"}}))(t).Reservations[0].Instances[0]
	if aws.ToString(web.VpcId) != "vpc-0app" || web.State.Name != ec2types.InstanceStateNameRunning || web.MetadataOptions.HttpTokens != ec2types.HttpTokensStateRequired ||
		web.MetadataOptions.HttpEndpoint != ec2types.InstanceMetadataEndpointStateEnabled || aws.ToInt32(web.MetadataOptions.HttpPutResponseHopLimit) != 2 || len(web.Tags) != 1 {
		t.Fatalf("instance = %+v, options %+v", web, web.MetadataOptions)
	}
	v1 := okEC2(client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("metadata-options.http-tokens"), Values: []string{"optional"}},
	}}))(t)
	if len(v1.Reservations) != 1 || aws.ToString(v1.Reservations[0].Instances[0].InstanceId) != "i-0legacy" {
		t.Fatalf("instances allowing IMDSv1 = %+v", v1.Reservations)
	}
	_, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0ghost"}})
	wantEC2Error(t, err, "InvalidInstanceID.NotFound")

	out := okEC2(client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
		InstanceId: aws.String("i-0web"), HttpTokens: ec2types.HttpTokensStateOptional,
	}))(t)
	if aws.ToString(out.InstanceId) != "i-0web" || out.InstanceMetadataOptions.HttpTokens != ec2types.HttpTokensStateOptional ||
		out.InstanceMetadataOptions.State != ec2types.InstanceMetadataOptionsStatePending || tokens("i-0web") != ec2types.HttpTokensStateOptional {
		t.Fatalf("ModifyInstanceMetadataOptions = %+v", out.InstanceMetadataOptions)
	}
	if got, _ := c.InstanceHTTPTokens(DefaultAccount, DefaultRegion, "i-0web"); got != "optional" {
		t.Fatalf("InstanceHTTPTokens = %q", got)
	}
	ev := tap.last(t, "ModifyInstanceMetadataOptions")
	req := ev["requestParameters"].(map[string]any)["ModifyInstanceMetadataOptionsRequest"].(map[string]any)
	resp := ev["responseElements"].(map[string]any)["ModifyInstanceMetadataOptionsResponse"].(map[string]any)
	if req["InstanceId"] != "i-0web" || req["HttpTokens"] != "optional" || resp["instanceId"] != "i-0web" {
		t.Fatalf("ModifyInstanceMetadataOptions event: request %v response %v", req, resp)
	}

	_, err = client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{InstanceId: aws.String("i-0web"), HttpTokens: "sometimes"})
	wantEC2Error(t, err, "InvalidParameterValue")
	_, err = client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{InstanceId: aws.String("i-0ghost"), HttpTokens: ec2types.HttpTokensStateRequired})
	wantEC2Error(t, err, "InvalidInstanceID.NotFound")
	// Only what the request names changes.
	okEC2(client.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{InstanceId: aws.String("i-0web"), HttpPutResponseHopLimit: aws.Int32(1)}))(t)
	if tokens("i-0web") != ec2types.HttpTokensStateOptional {
		t.Fatal("changing the hop limit changed HttpTokens")
	}
}

// A YAML seed makes the EC2 resources of the snapshot, subnet and
// metadata controls.
func TestEC2CoverageSeedFile(t *testing.T) {
	path := t.TempDir() + "/seed.yaml"
	const seed = `accounts:
  - id: "123456789012"
    volumes: [{id: vol-0data, size_gib: 8}]
    subnets: [{id: subnet-0pub, vpc_id: vpc-0app, cidr: 10.0.0.0/24, map_public_ip_on_launch: true}]
    instances: [{id: i-0old, subnet_id: subnet-0pub, http_tokens: optional}]
`
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{})
	if err := c.Apply(s); err != nil {
		t.Fatal(err)
	}
	if on, ok := c.SubnetMapsPublicIP("123456789012", DefaultRegion, "subnet-0pub"); !on || !ok {
		t.Errorf("seeded subnet maps public IPs %v (exists %v)", on, ok)
	}
	if tokens, _ := c.InstanceHTTPTokens("123456789012", DefaultRegion, "i-0old"); tokens != "optional" {
		t.Errorf("seeded instance HttpTokens = %q", tokens)
	}
	bad := Seed{Accounts: []AccountSeed{{ID: "123456789012", Instances: []InstanceSeed{{ID: "i-0x", SubnetID: "subnet-0none"}}}}}
	if err := New(Options{}).Apply(bad); err == nil {
		t.Error("an instance in a subnet nobody seeded was accepted")
	}
}
