package fakecloud

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
	svcs3 "github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rectifyhq/rectify/internal/events"
)

// receiveAll takes every visible message off a queue, asserting there is
// at least one, and returns their bodies.
func receiveAll(t *testing.T, cl *sqs.Client, queueURL string) []string {
	t.Helper()
	var bodies []string
	for {
		out, err := cl.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := cl.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(bodies) == 0 {
		t.Fatal("nothing on the queue")
	}
	return bodies
}

// parseOne parses a message with rectify's parser and returns its only
// Trigger.
func parseOne(t *testing.T, body string) events.Trigger {
	t.Helper()
	ts, err := events.Parse([]byte(body))
	if err != nil {
		t.Fatalf("events.Parse: %v\n%s", err, body)
	}
	if len(ts) != 1 {
		t.Fatalf("events.Parse gave %d triggers, want 1: %+v", len(ts), ts)
	}
	return ts[0]
}

type emitFixture struct {
	c     *Cloud
	cfg   aws.Config
	sqs   *sqs.Client
	queue string
}

func startEmit(t *testing.T) emitFixture {
	t.Helper()
	c, cfg := startCloud(t)
	seedWeb(t, c)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "open-bucket", Region: "eu-west-1",
		PublicAccessBlock: &PublicAccessBlockSeed{}}); err != nil {
		t.Fatal(err)
	}
	queue, err := c.CreateQueue(QueueSeed{Name: "rectify-events"})
	if err != nil {
		t.Fatal(err)
	}
	return emitFixture{c: c, cfg: cfg, sqs: sqs.NewFromConfig(cfg), queue: queue}
}

// TestEmitConfigChange: every delivery of a Config notification, for a
// security group and for a bucket, parses to the resource's trigger; an
// oversized item is in S3, where the SDK reads back the same item.
func TestEmitConfigChange(t *testing.T) {
	f := startEmit(t)
	resources := []struct {
		configType, id, region, tfType, arn string
	}{
		{"AWS::EC2::SecurityGroup", "sg-0web", DefaultRegion, svcec2.TypeSecurityGroup, "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web"},
		{"AWS::S3::Bucket", "open-bucket", "eu-west-1", svcs3.TypeBucket, "arn:aws:s3:::open-bucket"},
	}
	deliveries := []struct {
		d         ConfigDelivery
		eventName string
		outer     string // the key that shows the envelope
	}{
		{ConfigDelivery{}, "ConfigurationItemChangeNotification", "TopicArn"},
		{ConfigDelivery{Kind: ConfigRaw}, "ConfigurationItemChangeNotification", "configurationItem"},
		{ConfigDelivery{Kind: ConfigViaEventBridge}, "ConfigurationItemChangeNotification", "detail-type"},
		{ConfigDelivery{Kind: ConfigOversized}, "OversizedConfigurationItemChangeNotification", "TopicArn"},
		{ConfigDelivery{Kind: ConfigOversized, PlainJSON: true}, "OversizedConfigurationItemChangeNotification", "TopicArn"},
	}
	for _, r := range resources {
		for _, dv := range deliveries {
			name := r.configType + "/" + dv.d.Kind.String()
			if dv.d.PlainJSON {
				name += "-plain"
			}
			t.Run(name, func(t *testing.T) {
				if err := f.c.EmitConfigChange(f.queue, dv.d, DefaultAccount, r.region, r.configType, r.id); err != nil {
					t.Fatal(err)
				}
				bodies := receiveAll(t, f.sqs, f.queue)
				if len(bodies) != 1 {
					t.Fatalf("%d messages, want 1", len(bodies))
				}
				var outer map[string]any
				if err := json.Unmarshal([]byte(bodies[0]), &outer); err != nil || outer[dv.outer] == nil {
					t.Fatalf("message has no %s: %v\n%s", dv.outer, err, bodies[0])
				}
				tr := parseOne(t, bodies[0])
				want := events.Trigger{Source: events.SourceConfig, Account: DefaultAccount, Region: r.region,
					ResourceType: r.tfType, ResourceID: r.id, ARN: r.arn, EventName: dv.eventName}
				got := events.Trigger{Source: tr.Source, Account: tr.Account, Region: tr.Region,
					ResourceType: tr.ResourceType, ResourceID: tr.ResourceID, ARN: tr.ARN, EventName: tr.EventName}
				if got != want || tr.Ignored || tr.Deleted || tr.EventID == "" || tr.EventTime.IsZero() {
					t.Fatalf("trigger = %+v\nwant     %+v", tr, want)
				}
				if dv.d.Kind != ConfigOversized {
					if tr.Oversized != nil {
						t.Errorf("Oversized set for %s: %+v", dv.d.Kind, tr.Oversized)
					}
					return
				}
				o := tr.Oversized
				if o == nil || o.S3Bucket != "config-bucket-"+DefaultAccount || o.DeliveryError != "" || o.ConfigType != r.configType || o.ConfigID != r.id {
					t.Fatalf("Oversized = %+v", o)
				}
				wantSuffix := map[bool]string{false: ".json.gz", true: ".json"}[dv.d.PlainJSON]
				if !strings.HasSuffix(o.S3Key, wantSuffix) || !strings.HasPrefix(o.S3Key, "AWSLogs/"+DefaultAccount+"/Config/"+r.region+"/") {
					t.Errorf("S3 key %s, want AWSLogs/%s/Config/%s/...%s", o.S3Key, DefaultAccount, r.region, wantSuffix)
				}
				// Fetch it as rectify would: the bucket's region, then GetObject.
				info, ok := f.c.Bucket(o.S3Bucket)
				if !ok || info.Owner != DefaultAccount || info.PublicAccessBlock == nil || !info.PublicAccessBlock.RestrictPublicBuckets || info.Encryption == nil {
					t.Fatalf("delivery bucket: %+v", info)
				}
				obj := mustS3(pathClient(inRegion(f.cfg, info.Region)).GetObject(context.Background(),
					&s3.GetObjectInput{Bucket: aws.String(o.S3Bucket), Key: aws.String(o.S3Key)}))(t)
				raw, err := io.ReadAll(obj.Body)
				_ = obj.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !dv.d.PlainJSON {
					zr, err := gzip.NewReader(bytes.NewReader(raw))
					if err != nil {
						t.Fatalf("object is not gzip: %v", err)
					}
					if raw, err = io.ReadAll(zr); err != nil {
						t.Fatal(err)
					}
				}
				var full struct {
					MessageType       string         `json:"messageType"`
					ConfigurationItem map[string]any `json:"configurationItem"`
				}
				if err := json.Unmarshal(raw, &full); err != nil || full.MessageType != "ConfigurationItemChangeNotification" {
					t.Fatalf("object: %v, messageType %q", err, full.MessageType)
				}
				items := f.c.configItems(DefaultAccount, r.region, r.configType, r.id)
				latest := items[len(items)-1].notificationItem()
				if !reflect.DeepEqual(jsonValue(latest), jsonValue(full.ConfigurationItem)) {
					t.Errorf("item in S3 differs from the recorded item:\n%v\n%v", full.ConfigurationItem, latest)
				}
				if inS3 := parseOne(t, string(raw)); inS3.ARN != tr.ARN || inS3.EventID != tr.EventID || inS3.ResourceID != tr.ResourceID {
					t.Errorf("the item in S3 parses to %+v, the notification to %+v", inS3, tr)
				}
			})
		}
	}
}

// TestEmitConfigChangeDiffAndDeletion: a change made through the API shows
// in configurationItemDiff, and a deleted resource gives its
// ResourceDeleted item, which rectify reads as a deletion.
func TestEmitConfigChangeDiffAndDeletion(t *testing.T) {
	f := startEmit(t)
	ctx := context.Background()
	emitRaw := func(region, typ, id string) map[string]any {
		t.Helper()
		if err := f.c.EmitConfigChange(f.queue, ConfigDelivery{Kind: ConfigRaw}, DefaultAccount, region, typ, id); err != nil {
			t.Fatal(err)
		}
		bodies := receiveAll(t, f.sqs, f.queue)
		var n map[string]any
		if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	changed := func(n map[string]any) map[string]any {
		d, _ := n["configurationItemDiff"].(map[string]any)
		props, _ := d["changedProperties"].(map[string]any)
		return props
	}
	// Recorded first, so the change below has a before.
	emitRaw(DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web")
	emitRaw("eu-west-1", "AWS::S3::Bucket", "open-bucket")

	ec := ec2.NewFromConfig(f.cfg)
	if _, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-0web"),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	n := emitRaw(DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web")
	added, _ := changed(n)["Configuration.IpPermissions.1"].(map[string]any)
	if added["changeType"] != "CREATE" || added["previousValue"] != nil || added["updatedValue"].(map[string]any)["fromPort"] != 3389.0 {
		t.Errorf("diff after authorizing 3389: %v", n["configurationItemDiff"])
	}

	if _, err := pathClient(inRegion(f.cfg, "eu-west-1")).PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("open-bucket"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	n = emitRaw("eu-west-1", "AWS::S3::Bucket", "open-bucket")
	flag, _ := changed(n)["SupplementaryConfiguration.PublicAccessBlockConfiguration.BlockPublicAcls"].(map[string]any)
	if flag["changeType"] != "UPDATE" || flag["previousValue"] != false || flag["updatedValue"] != true || len(changed(n)) != 1 {
		t.Errorf("diff after blocking public ACLs: %v", n["configurationItemDiff"])
	}

	if _, err := ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-0web")}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []ConfigDelivery{{}, {Kind: ConfigViaEventBridge}, {Kind: ConfigOversized}} {
		if err := f.c.EmitConfigChange(f.queue, d, DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web"); err != nil {
			t.Fatal(err)
		}
		tr := parseOne(t, receiveAll(t, f.sqs, f.queue)[0])
		if !tr.Deleted || tr.Ignored || tr.ResourceID != "sg-0web" {
			t.Errorf("%s: deleted group's trigger = %+v", d.Kind, tr)
		}
	}
	history := mustS3(configservice.NewFromConfig(f.cfg).GetResourceConfigHistory(ctx, historyOf(cstypes.ResourceTypeSecurityGroup, "sg-0web")))(t)
	if len(history.ConfigurationItems) != 3 || history.ConfigurationItems[0].ConfigurationItemStatus != cstypes.ConfigurationItemStatusResourceDeleted {
		t.Errorf("history after the emits: %d items", len(history.ConfigurationItems))
	}
}

// TestEmitConfigChangeDeliveryFailed: when the named delivery bucket is
// missing or not the account's, Config sends
// OversizedConfigurationItemChangeDeliveryFailed, which leaves only the
// history API to fetch the item from.
func TestEmitConfigChangeDeliveryFailed(t *testing.T) {
	f := startEmit(t)
	if err := f.c.SeedBucket("210987654321", BucketSeed{Name: "someone-elses"}); err != nil {
		t.Fatal(err)
	}
	for _, bucket := range []string{"no-such-bucket", "someone-elses"} {
		d := ConfigDelivery{Kind: ConfigOversized, Bucket: bucket}
		if err := f.c.EmitConfigChange(f.queue, d, DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web"); err != nil {
			t.Fatal(err)
		}
		tr := parseOne(t, receiveAll(t, f.sqs, f.queue)[0])
		if tr.EventName != "OversizedConfigurationItemChangeDeliveryFailed" || tr.Oversized == nil || tr.Oversized.DeliveryError == "" ||
			tr.Oversized.S3Bucket != "" || tr.ResourceID != "sg-0web" {
			t.Errorf("bucket %s: trigger %+v, oversized %+v", bucket, tr, tr.Oversized)
		}
	}
	if _, ok := f.c.Bucket("no-such-bucket"); ok {
		t.Error("a named delivery bucket was created")
	}
}

func TestEmitConfigChangeErrors(t *testing.T) {
	f := startEmit(t)
	for _, tc := range []struct {
		name, queue, account, region, typ, id string
		d                                     ConfigDelivery
		want                                  string
	}{
		{"unknown group", f.queue, DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0missing", ConfigDelivery{}, "not been discovered"},
		{"bucket in another region", f.queue, DefaultAccount, DefaultRegion, "AWS::S3::Bucket", "open-bucket", ConfigDelivery{}, "not been discovered"},
		{"another account", f.queue, "210987654321", DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web", ConfigDelivery{}, "not been discovered"},
		{"unsupported type", f.queue, DefaultAccount, DefaultRegion, "AWS::IAM::Role", "admin", ConfigDelivery{}, "records only"},
		{"Terraform type name", f.queue, DefaultAccount, DefaultRegion, "aws_security_group", "sg-0web", ConfigDelivery{}, "records only"},
		{"no account", f.queue, "", DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web", ConfigDelivery{}, "required"},
		{"no id", f.queue, DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "", ConfigDelivery{}, "required"},
		{"bad kind", f.queue, DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web", ConfigDelivery{Kind: 42}, "unknown delivery kind"},
		{"missing queue", "http://localhost/123456789012/nope", DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web", ConfigDelivery{}, "does not exist"},
		{"not a queue URL", "nope", DefaultAccount, DefaultRegion, "AWS::EC2::SecurityGroup", "sg-0web", ConfigDelivery{Kind: ConfigRaw}, "not a queue URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.c.EmitConfigChange(tc.queue, tc.d, tc.account, tc.region, tc.typ, tc.id)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if visible, _, _ := f.c.QueueDepth(f.queue); visible != 0 {
		t.Errorf("%d messages delivered by failed emits", visible)
	}
}

// sgFinding is a FAILED finding of another tool on a security group, as
// Security Hub's own controls write it.
func sgFinding(account, region, groupID string) map[string]any {
	return map[string]any{
		"SchemaVersion": "2018-10-08",
		"Id":            "arn:aws:securityhub:" + region + ":" + account + ":subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/1",
		"ProductArn":    "arn:aws:securityhub:" + region + "::product/aws/securityhub",
		"ProductName":   "Security Hub",
		"CompanyName":   "AWS",
		"GeneratorId":   "aws-foundational-security-best-practices/v/1.0.0/EC2.19",
		"AwsAccountId":  account,
		"Types":         []any{"Software and Configuration Checks/Industry and Regulatory Standards"},
		"CreatedAt":     "2026-03-01T12:00:00.000Z",
		"UpdatedAt":     "2026-03-01T12:00:00.000Z",
		"Severity":      map[string]any{"Label": "CRITICAL"},
		"Title":         "EC2.19 Security groups should not allow unrestricted access to ports with high risk",
		"Description":   "This control checks whether unrestricted incoming traffic is allowed to high-risk ports.",
		"Resources": []any{map[string]any{
			"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:" + region + ":" + account + ":security-group/" + groupID,
			"Partition": "aws", "Region": region,
		}},
		"Compliance":  map[string]any{"Status": "FAILED"},
		"RecordState": "ACTIVE",
		"Workflow":    map[string]any{"Status": "NEW"},
	}
}

func TestEmitSecurityHubImported(t *testing.T) {
	f := startEmit(t)
	finding := sgFinding(DefaultAccount, DefaultRegion, "sg-0web")
	before, _ := json.Marshal(finding)
	if err := f.c.EmitSecurityHubImported(f.queue, DefaultAccount, DefaultRegion, finding); err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(finding); !bytes.Equal(before, after) {
		t.Error("the emitter changed the caller's finding")
	}
	body := receiveAll(t, f.sqs, f.queue)[0]
	var ev struct {
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
		Detail     struct {
			Findings []map[string]any `json:"findings"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	findingID := finding["ProductArn"].(string) + "/" + finding["Id"].(string)
	pf, _ := ev.Detail.Findings[0]["ProductFields"].(map[string]any)
	if ev.DetailType != "Security Hub Findings - Imported" || ev.Source != "aws.securityhub" || ev.Account != DefaultAccount ||
		ev.Region != DefaultRegion || len(ev.Resources) != 1 || ev.Resources[0] != findingID ||
		pf["aws/securityhub/FindingId"] != findingID || pf["aws/securityhub/ProductName"] != "Security Hub" {
		t.Errorf("envelope = %s", body)
	}
	tr := parseOne(t, body)
	if tr.Source != events.SourceSecurityHub || tr.ResourceType != svcec2.TypeSecurityGroup || tr.ResourceID != "sg-0web" ||
		tr.Account != DefaultAccount || tr.Region != DefaultRegion || tr.Ignored ||
		tr.ARN != "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web" {
		t.Errorf("trigger = %+v", tr)
	}

	// Several findings travel in one event: one trigger per resource.
	other := sgFinding(DefaultAccount, DefaultRegion, "sg-0db")
	other["Id"] = "other"
	if err := f.c.EmitSecurityHubImported(f.queue, DefaultAccount, DefaultRegion, finding, other); err != nil {
		t.Fatal(err)
	}
	ts, err := events.Parse([]byte(receiveAll(t, f.sqs, f.queue)[0]))
	if err != nil || len(ts) != 2 || ts[0].ResourceID != "sg-0web" || ts[1].ResourceID != "sg-0db" {
		t.Errorf("two findings: %+v, %v", ts, err)
	}

	for _, tc := range []struct {
		name     string
		queue    string
		account  string
		findings []map[string]any
		want     string
	}{
		{"no findings", f.queue, DefaultAccount, nil, "no findings"},
		{"nil finding", f.queue, DefaultAccount, []map[string]any{nil}, "nil"},
		{"not JSON", f.queue, DefaultAccount, []map[string]any{{"Id": func() {}}}, "not JSON"},
		{"no account", f.queue, "", []map[string]any{finding}, "required"},
		{"too large", f.queue, DefaultAccount, []map[string]any{{"Description": strings.Repeat("x", maxEventSize)}}, "256 KiB"},
		{"missing queue", "http://localhost/123456789012/nope", DefaultAccount, []map[string]any{finding}, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.c.EmitSecurityHubImported(tc.queue, tc.account, DefaultRegion, tc.findings...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestEmitFindingsOf imports rectify's own finding and another tool's into
// the fake Security Hub, emits them, and shows that rectify's parser acts
// on the other one only.
func TestEmitFindingsOf(t *testing.T) {
	f := startEmit(t)
	own := shTestFinding(DefaultAccount, DefaultRegion, "rectify/aws.ec2.sg_public_admin_ports/arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web")
	own.Resources[0].Id = aws.String("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web")
	own.ProductFields = map[string]string{"rectify/WorkflowId": "evaluate/sg-0web"}
	theirs := shTestFinding(DefaultAccount, DefaultRegion, "scanner/ssh/sg-0web")
	theirs.GeneratorId = aws.String("scanner/ssh")
	theirs.Resources[0].Id = aws.String("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web")
	mustImport(t, securityhub.NewFromConfig(f.cfg), own, theirs)

	if err := f.c.EmitFindingsOf(f.queue, DefaultAccount, DefaultRegion, nil); err != nil {
		t.Fatal(err)
	}
	bodies := receiveAll(t, f.sqs, f.queue)
	if len(bodies) != 2 {
		t.Fatalf("%d events for 2 findings, want one each", len(bodies))
	}
	byGenerator := map[string]events.Trigger{}
	for _, b := range bodies {
		tr := parseOne(t, b)
		byGenerator[tr.EventName] = tr
	}
	if tr := byGenerator["rectify/aws.ec2.sg_public_admin_ports"]; !tr.Ignored || events.ReasonCategory(tr.Reason) != events.CategoryOwnFinding {
		t.Errorf("rectify's own finding: %+v", tr)
	}
	if tr := byGenerator["scanner/ssh"]; tr.Ignored || tr.ResourceID != "sg-0web" || tr.ResourceType != svcec2.TypeSecurityGroup {
		t.Errorf("the other tool's finding: %+v", tr)
	}

	ownOnly := func(f map[string]any) bool { return strings.HasPrefix(f["GeneratorId"].(string), "rectify/") }
	if err := f.c.EmitFindingsOf(f.queue, DefaultAccount, DefaultRegion, ownOnly); err != nil {
		t.Fatal(err)
	}
	if bodies := receiveAll(t, f.sqs, f.queue); len(bodies) != 1 || !parseOne(t, bodies[0]).Ignored {
		t.Errorf("filtered: %d events", len(bodies))
	}
	if err := f.c.EmitFindingsOf(f.queue, DefaultAccount, "eu-west-1", nil); err == nil || !strings.Contains(err.Error(), "no finding") {
		t.Errorf("region without findings: %v", err)
	}
}
