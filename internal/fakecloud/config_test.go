package fakecloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// webGroup is a security group with SSH open to the world.
var webGroup = SecurityGroupSeed{
	GroupID: "sg-0web", GroupName: "web", Description: "web servers", VpcID: "vpc-0abc",
	Ingress: []RuleSeed{{Protocol: "tcp", FromPort: 22, ToPort: 22, CidrIPv4: "0.0.0.0/0", Description: "ssh"}},
	Tags:    map[string]string{"Name": "web"},
}

func seedWeb(t *testing.T, c *Cloud) {
	t.Helper()
	if _, err := c.SeedSecurityGroup(DefaultAccount, webGroup); err != nil {
		t.Fatal(err)
	}
}

func history(t *testing.T, cl *configservice.Client, in *configservice.GetResourceConfigHistoryInput) []cstypes.ConfigurationItem {
	t.Helper()
	out, err := cl.GetResourceConfigHistory(context.Background(), in)
	if err != nil {
		t.Fatalf("GetResourceConfigHistory %s %s: %v", in.ResourceType, aws.ToString(in.ResourceId), err)
	}
	return out.ConfigurationItems
}

func historyOf(resourceType cstypes.ResourceType, id string) *configservice.GetResourceConfigHistoryInput {
	return &configservice.GetResourceConfigHistoryInput{ResourceType: resourceType, ResourceId: aws.String(id)}
}

// configuration decodes an item's configuration JSON string.
func configuration(t *testing.T, it cstypes.ConfigurationItem) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(it.Configuration)), &m); err != nil {
		t.Fatalf("configuration of %s is not a JSON object: %v (%q)", aws.ToString(it.ResourceId), err, aws.ToString(it.Configuration))
	}
	return m
}

// TestConfigHistorySecurityGroup follows a group through the real SDK:
// recorded as seeded, changed through EC2 (a new item, related to the
// CloudTrail event), unchanged (no new item), deleted (ResourceDeleted).
func TestConfigHistorySecurityGroup(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	seedWeb(t, c)
	tap := tapEvents(c)
	cl := configservice.NewFromConfig(cfg)
	ec := ec2.NewFromConfig(cfg)
	ctx := context.Background()
	in := historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0web")

	items := history(t, cl, in)
	if len(items) != 1 {
		t.Fatalf("seeded group: %d items, want 1", len(items))
	}
	first := items[0]
	for field, pair := range map[string][2]string{
		"version":                 {aws.ToString(first.Version), "1.3"},
		"accountId":               {aws.ToString(first.AccountId), DefaultAccount},
		"awsRegion":               {aws.ToString(first.AwsRegion), DefaultRegion},
		"resourceType":            {string(first.ResourceType), "AWS::EC2::SecurityGroup"},
		"resourceId":              {aws.ToString(first.ResourceId), "sg-0web"},
		"resourceName":            {aws.ToString(first.ResourceName), "web"},
		"arn":                     {aws.ToString(first.Arn), "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web"},
		"configurationItemStatus": {string(first.ConfigurationItemStatus), "OK"},
		"tags.Name":               {first.Tags["Name"], "web"},
		"availabilityZone":        {aws.ToString(first.AvailabilityZone), "Not Applicable"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", field, pair[0], pair[1])
		}
	}
	if first.ConfigurationItemCaptureTime == nil || !first.ConfigurationItemCaptureTime.Equal(clock.Now()) {
		t.Errorf("capture time = %v, want %v", first.ConfigurationItemCaptureTime, clock.Now())
	}
	if aws.ToString(first.ConfigurationStateId) == "" {
		t.Error("no configurationStateId")
	}
	if len(first.Relationships) != 1 || aws.ToString(first.Relationships[0].ResourceId) != "vpc-0abc" ||
		aws.ToString(first.Relationships[0].RelationshipName) != "Is contained in Vpc" {
		t.Errorf("relationships = %+v", first.Relationships)
	}
	conf := configuration(t, first)
	if conf["groupId"] != "sg-0web" || conf["groupName"] != "web" || conf["vpcId"] != "vpc-0abc" || conf["ownerId"] != DefaultAccount {
		t.Errorf("configuration identity = %v", conf)
	}
	wantIngress := `[{"fromPort":22,"ipProtocol":"tcp","ipRanges":["0.0.0.0/0"],"ipv4Ranges":[{"cidrIp":"0.0.0.0/0","description":"ssh"}],"ipv6Ranges":[],"prefixListIds":[],"toPort":22,"userIdGroupPairs":[]}]`
	if got, _ := json.Marshal(conf["ipPermissions"]); string(got) != wantIngress {
		t.Errorf("ipPermissions =\n %s\nwant\n %s", got, wantIngress)
	}
	// All traffic has no ports, as Config (and EC2) show it.
	wantEgress := `[{"ipProtocol":"-1","ipRanges":["0.0.0.0/0"],"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}]`
	if got, _ := json.Marshal(conf["ipPermissionsEgress"]); string(got) != wantEgress {
		t.Errorf("ipPermissionsEgress =\n %s\nwant\n %s", got, wantEgress)
	}
	if got, _ := json.Marshal(conf["tags"]); string(got) != `[{"key":"Name","value":"web"}]` {
		t.Errorf("configuration tags = %s", got)
	}

	clock.Advance(time.Minute)
	if _, err := ec.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String("sg-0web"),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	revokeEvent := tap.last(t, "RevokeSecurityGroupIngress")["eventID"]
	items = history(t, cl, in)
	if len(items) != 2 {
		t.Fatalf("after revoke: %d items, want 2", len(items))
	}
	if got := configuration(t, items[0])["ipPermissions"].([]any); len(got) != 0 {
		t.Errorf("newest item (first in Reverse order) still has ingress %v", got)
	}
	if len(items[0].RelatedEvents) != 1 || items[0].RelatedEvents[0] != revokeEvent {
		t.Errorf("relatedEvents = %v, want the revoke's CloudTrail event %v", items[0].RelatedEvents, revokeEvent)
	}
	if aws.ToString(items[0].ConfigurationStateId) == aws.ToString(items[1].ConfigurationStateId) ||
		!items[0].ConfigurationItemCaptureTime.After(*items[1].ConfigurationItemCaptureTime) {
		t.Errorf("items not distinct and newest first: %v %v", items[0].ConfigurationItemCaptureTime, items[1].ConfigurationItemCaptureTime)
	}
	if got := history(t, cl, in); len(got) != 2 {
		t.Errorf("asking again recorded an item for an unchanged group: %d items", len(got))
	}
	forward := history(t, cl, &configservice.GetResourceConfigHistoryInput{ResourceType: in.ResourceType, ResourceId: in.ResourceId,
		ChronologicalOrder: cstypes.ChronologicalOrderForward})
	if aws.ToString(forward[0].ConfigurationStateId) != aws.ToString(first.ConfigurationStateId) {
		t.Errorf("Forward order starts with %s, want the first item %s", aws.ToString(forward[0].ConfigurationStateId), aws.ToString(first.ConfigurationStateId))
	}

	clock.Advance(time.Minute)
	if _, err := ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-0web")}); err != nil {
		t.Fatal(err)
	}
	items = history(t, cl, in)
	if len(items) != 3 {
		t.Fatalf("after delete: %d items, want 3", len(items))
	}
	gone := items[0]
	if gone.ConfigurationItemStatus != cstypes.ConfigurationItemStatusResourceDeleted || gone.Configuration != nil ||
		aws.ToString(gone.Arn) != aws.ToString(first.Arn) || aws.ToString(gone.ResourceName) != "web" {
		t.Errorf("deleted item = status %s, configuration %v, arn %s, name %s", gone.ConfigurationItemStatus,
			aws.ToString(gone.Configuration), aws.ToString(gone.Arn), aws.ToString(gone.ResourceName))
	}

	// The time window and the pages.
	if got := history(t, cl, &configservice.GetResourceConfigHistoryInput{ResourceType: in.ResourceType, ResourceId: in.ResourceId,
		EarlierTime: aws.Time(clock.Now().Add(-90 * time.Second)), LaterTime: aws.Time(clock.Now().Add(-30 * time.Second))}); len(got) != 1 ||
		aws.ToString(got[0].ConfigurationStateId) != aws.ToString(items[1].ConfigurationStateId) {
		t.Errorf("window around the revoke: %d items", len(got))
	}
	var paged []string
	p := configservice.NewGetResourceConfigHistoryPaginator(cl, &configservice.GetResourceConfigHistoryInput{
		ResourceType: in.ResourceType, ResourceId: in.ResourceId, Limit: 1})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.ConfigurationItems {
			paged = append(paged, aws.ToString(it.ConfigurationStateId))
		}
	}
	want := []string{aws.ToString(items[0].ConfigurationStateId), aws.ToString(items[1].ConfigurationStateId), aws.ToString(items[2].ConfigurationStateId)}
	if strings.Join(paged, ",") != strings.Join(want, ",") {
		t.Errorf("paged with limit 1: %v, want %v", paged, want)
	}
}

// TestConfigHistoryCreatedThroughAPI: a group created through EC2 is
// ResourceDiscovered, and one changed and deleted by name (CloudTrail then
// names no group id) is recorded all the same.
func TestConfigHistoryCreatedThroughAPI(t *testing.T) {
	c, cfg := startCloud(t)
	if _, err := c.SeedSecurityGroup(DefaultAccount, SecurityGroupSeed{GroupID: "sg-0legacy", GroupName: "legacy"}); err != nil {
		t.Fatal(err)
	}
	cl := configservice.NewFromConfig(cfg)
	ec := ec2.NewFromConfig(cfg)
	ctx := context.Background()
	created, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("db"), Description: aws.String("db")})
	if err != nil {
		t.Fatal(err)
	}
	items := history(t, cl, historyOf(cstypes.ResourceTypeSecurityGroup, aws.ToString(created.GroupId)))
	if len(items) != 1 || items[0].ConfigurationItemStatus != cstypes.ConfigurationItemStatusResourceDiscovered {
		t.Fatalf("created group: %+v", items)
	}
	history(t, cl, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0legacy"))
	if _, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("legacy"),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), CidrIp: aws.String("0.0.0.0/0")}); err != nil {
		t.Fatal(err)
	}
	if items = history(t, cl, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0legacy")); len(items) != 2 || len(items[0].RelatedEvents) != 1 {
		t.Fatalf("group changed by name: %d items, newest related to %v", len(items), items[0].RelatedEvents)
	}
	if _, err := ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("legacy")}); err != nil {
		t.Fatal(err)
	}
	items = history(t, cl, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0legacy"))
	if len(items) != 3 || items[0].ConfigurationItemStatus != cstypes.ConfigurationItemStatusResourceDeleted {
		t.Fatalf("group deleted by name: %+v", items)
	}
}

// TestConfigHistoryBucket reads a bucket's item through the SDK: the
// configuration, the settings in supplementaryConfiguration, and the
// deletion.
func TestConfigHistoryBucket(t *testing.T) {
	c, cfg := startCloud(t)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "data-bucket", Region: "eu-west-1", Tags: map[string]string{"team": "data"},
		PublicAccessBlock: &PublicAccessBlockSeed{BlockPublicAcls: true, IgnorePublicAcls: true}, Policy: policy}); err != nil {
		t.Fatal(err)
	}
	euCfg := inRegion(cfg, "eu-west-1")
	cl := configservice.NewFromConfig(euCfg)
	ctx := context.Background()
	if _, err := pathClient(euCfg).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("data-bucket"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/data")},
			BucketKeyEnabled:                   aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	items := history(t, cl, historyOf(cstypes.ResourceTypeBucket, "data-bucket"))
	if len(items) != 1 {
		t.Fatalf("%d items, want 1", len(items))
	}
	it := items[0]
	if aws.ToString(it.Arn) != "arn:aws:s3:::data-bucket" || aws.ToString(it.ResourceName) != "data-bucket" ||
		aws.ToString(it.AwsRegion) != "eu-west-1" || it.Tags["team"] != "data" || it.ResourceCreationTime == nil {
		t.Errorf("bucket item identity: arn %s name %s region %s tags %v created %v", aws.ToString(it.Arn), aws.ToString(it.ResourceName),
			aws.ToString(it.AwsRegion), it.Tags, it.ResourceCreationTime)
	}
	conf := configuration(t, it)
	owner, _ := conf["owner"].(map[string]any)
	if conf["name"] != "data-bucket" || owner["id"] != canonicalUserID(DefaultAccount) || conf["creationDate"] == nil {
		t.Errorf("configuration = %v", conf)
	}
	for entry, want := range map[string]string{
		"PublicAccessBlockConfiguration":    `{"blockPublicAcls":true,"blockPublicPolicy":false,"ignorePublicAcls":true,"restrictPublicBuckets":false}`,
		"ServerSideEncryptionConfiguration": `{"rules":[{"applyServerSideEncryptionByDefault":{"kmsMasterKeyID":"alias/data","sseAlgorithm":"aws:kms"},"bucketKeyEnabled":true}]}`,
		"IsRequesterPaysEnabled":            `false`,
	} {
		var v any
		if err := json.Unmarshal([]byte(it.SupplementaryConfiguration[entry]), &v); err != nil {
			t.Errorf("supplementaryConfiguration.%s = %q: %v", entry, it.SupplementaryConfiguration[entry], err)
			continue
		}
		if got, _ := json.Marshal(v); string(got) != want {
			t.Errorf("supplementaryConfiguration.%s = %s, want %s", entry, got, want)
		}
	}
	var bp struct{ PolicyText string }
	if err := json.Unmarshal([]byte(it.SupplementaryConfiguration["BucketPolicy"]), &bp); err != nil || bp.PolicyText != policy {
		t.Errorf("BucketPolicy = %s", it.SupplementaryConfiguration["BucketPolicy"])
	}
	var acl struct {
		GrantList []struct {
			Grantee    any
			Permission string
		}
	}
	if err := json.Unmarshal([]byte(it.SupplementaryConfiguration["AccessControlList"]), &acl); err != nil ||
		len(acl.GrantList) != 1 || acl.GrantList[0].Permission != "FullControl" {
		t.Errorf("AccessControlList = %s", it.SupplementaryConfiguration["AccessControlList"])
	}

	// Config is regional: the bucket is not discovered from us-east-1.
	_, err := configservice.NewFromConfig(cfg).GetResourceConfigHistory(ctx, historyOf(cstypes.ResourceTypeBucket, "data-bucket"))
	var nd *cstypes.ResourceNotDiscoveredException
	if !errors.As(err, &nd) {
		t.Errorf("bucket from another region: %v, want ResourceNotDiscoveredException", err)
	}

	if _, err := pathClient(euCfg).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("data-bucket")}); err != nil {
		t.Fatal(err)
	}
	items = history(t, cl, historyOf(cstypes.ResourceTypeBucket, "data-bucket"))
	// The first item was recorded by PutBucketEncryption: a seeded bucket is
	// recorded when it first changes or is first asked about.
	if len(items) != 2 || items[0].ConfigurationItemStatus != cstypes.ConfigurationItemStatusResourceDeleted || items[0].Configuration != nil {
		t.Fatalf("after DeleteBucket: %d items, newest %s", len(items), items[0].ConfigurationItemStatus)
	}
}

// TestConfigHistoryErrors: each bad request gets Config's error, through
// the SDK where it can send it and raw where it cannot; none panics.
func TestConfigHistoryErrors(t *testing.T) {
	c, cfg := startCloud(t)
	seedWeb(t, c)
	if _, err := c.SeedSecurityGroup("210987654321", SecurityGroupSeed{GroupID: "sg-0other", GroupName: "other"}); err != nil {
		t.Fatal(err)
	}
	cl := configservice.NewFromConfig(cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		in   *configservice.GetResourceConfigHistoryInput
		code string
	}{
		{"unknown group", historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0missing"), "ResourceNotDiscoveredException"},
		{"another account's group", historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0other"), "ResourceNotDiscoveredException"},
		{"unknown bucket", historyOf(cstypes.ResourceTypeBucket, "no-such-bucket"), "ResourceNotDiscoveredException"},
		{"type not recorded", historyOf(cstypes.ResourceTypeUser, "alice"), "ResourceNotDiscoveredException"},
		{"not a type", historyOf("SecurityGroup", "sg-0web"), "ValidationException"},
		{"limit too high", &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
			ResourceId: aws.String("sg-0web"), Limit: 101}, "InvalidLimitException"},
		{"earlier after later", &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
			ResourceId: aws.String("sg-0web"), EarlierTime: aws.Time(time.Now()), LaterTime: aws.Time(time.Now().Add(-time.Hour))}, "InvalidTimeRangeException"},
		{"bad next token", &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
			ResourceId: aws.String("sg-0web"), NextToken: aws.String("garbage")}, "InvalidNextTokenException"},
		{"bad order", &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
			ResourceId: aws.String("sg-0web"), ChronologicalOrder: "Sideways"}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.GetResourceConfigHistory(ctx, tc.in)
			wantAPIError(t, err, tc.code)
		})
	}
	// A token from one resource is not valid for another.
	history(t, cl, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0web"))
	if _, err := c.SeedSecurityGroup(DefaultAccount, SecurityGroupSeed{GroupID: "sg-0db", GroupName: "db"}); err != nil {
		t.Fatal(err)
	}
	ec := ec2.NewFromConfig(cfg)
	if _, err := ec.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"sg-0web"}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	page, err := cl.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
		ResourceId: aws.String("sg-0web"), Limit: 1})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page: %v, token %v", err, page)
	}
	_, err = cl.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cstypes.ResourceTypeSecurityGroup,
		ResourceId: aws.String("sg-0db"), NextToken: page.NextToken})
	wantAPIError(t, err, "InvalidNextTokenException")

	target := map[string]string{"X-Amz-Target": "StarlingDoveService.GetResourceConfigHistory", "Content-Type": configContentType}
	for _, tc := range []struct {
		name, method, body string
		header             map[string]string
		status             int
		code               string
	}{
		{"not JSON", "POST", `{"resourceType":`, target, 400, "SerializationException"},
		{"wrong JSON type", "POST", `{"resourceType":["AWS::EC2::SecurityGroup"]}`, target, 400, "SerializationException"},
		{"no resource id", "POST", `{"resourceType":"AWS::EC2::SecurityGroup"}`, target, 400, "ValidationException"},
		{"no resource type", "POST", `{"resourceId":"sg-0web"}`, target, 400, "ValidationException"},
		{"empty body", "POST", ``, target, 400, "ValidationException"},
		{"time as text", "POST", `{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0web","laterTime":"yesterday"}`, target, 400, "SerializationException"},
		{"time out of range", "POST", `{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0web","laterTime":1e300}`, target, 400, "SerializationException"},
		{"limit not an integer", "POST", `{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0web","limit":1.5}`, target, 400, "InvalidLimitException"},
		{"other operation", "POST", `{}`, map[string]string{"X-Amz-Target": "StarlingDoveService.PutConfigRule"}, 400, "UnknownOperationException"},
		{"no target", "POST", `{}`, nil, 400, "UnknownOperationException"},
		{"GET", "GET", ``, target, 400, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := rawCall(t, c.URL(), "config", tc.method, "/", tc.header, tc.body)
			var doc struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &doc); err != nil || status != tc.status || doc.Type != tc.code || doc.Message == "" {
				t.Errorf("got %d %s, want %d %s", status, body, tc.status, tc.code)
			}
		})
	}

	// Denied and unknown callers.
	c.AddUser(DefaultAccount, "no-config", "AKIANOCONFIG00000001", "s", "config:*")
	_, err = configservice.NewFromConfig(sdkConfig(c.URL(), "AKIANOCONFIG00000001", "s", "")).
		GetResourceConfigHistory(ctx, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0web"))
	wantAPIError(t, err, "AccessDeniedException")
	_, err = configservice.NewFromConfig(sdkConfig(c.URL(), "AKIAUNKNOWN000000001", "s", "")).
		GetResourceConfigHistory(ctx, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0web"))
	wantAPIError(t, err, "UnrecognizedClientException")
	if status, _, _ := rawCall(t, c.URL(), "config", http.MethodPost, "/", target, `{}`); status >= 500 {
		t.Errorf("status %d", status)
	}
}

// configItems returns the recorded items of a resource, oldest first,
// without recording anything.
func (c *Cloud) configItems(account, region, resourceType, resourceID string) []*configRecord {
	s := c.config
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*configRecord(nil), s.history[configKey{account, region, resourceType, resourceID}]...)
}
