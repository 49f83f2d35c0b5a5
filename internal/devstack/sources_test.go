package devstack

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service"
	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/starter"
)

var worldSSH = []fakecloud.RuleSeed{{Protocol: "tcp", FromPort: 22, ToPort: 22, CidrIPv4: "0.0.0.0/0"}}

// TestSweepFindsUnreportedDrift: a violation that produced no event (seeded
// straight into the fake cloud) is found by a scheduled sweep and fixed.
func TestSweepFindsUnreportedDrift(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id, err := s.cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{
		Region: Region, GroupName: "drifted" + s.suffix, Description: "changed outside any event", Ingress: worldSSH,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := contract.SweepInput{Account: Account, Region: Region, PagesPerSecond: 20, PageSize: 5}
	if err := starter.EnsureSweep(ctx, temporalServer.Client, s.cfg.Temporal.TaskQueue, starter.SweepSchedule{Input: in, Every: time.Hour}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = temporalServer.Client.ScheduleClient().GetHandle(ctx, contract.SweepID(Account, Region)).Delete(ctx)
	})
	if err := starter.TriggerSweep(ctx, temporalServer.Client, Account, Region); err != nil {
		t.Fatal(err)
	}
	arn := svcec2.SecurityGroupARN(Account, Region, id)
	s.waitState(contract.RemediationID(PolicySGAdminPorts, arn), contract.StateResolved)
	var last starter.SweepStatus
	waitFor(t, "the sweep to complete", func() bool {
		sweeps, err := starter.ListSweeps(ctx, temporalServer.Client)
		if err != nil {
			t.Fatal(err)
		}
		for _, sw := range sweeps {
			if sw.ID == contract.SweepID(Account, Region) {
				last = sw
			}
		}
		return strings.Contains(strings.ToLower(last.Status), "completed")
	})
	// Two security groups (web, drifted), three buckets (the demo's data
	// and logs, the audit trail's), the region's EBS encryption-by-default
	// setting, the region's GuardDuty setting (its detector is on), the
	// region's AWS Config setting (its recorder records), the account's
	// IAM password policy, the region's CIS monitoring setting (no trail
	// delivers to CloudWatch Logs: notified, as no alarm topic is
	// configured), the region's default VPC (with its
	// flow log, so compliant), and rectify's own event
	// queue and its dead-letter queue (encrypted, so compliant), one page
	// per type (the types with nothing to list, such as KMS keys and trails
	// here, still cost their one page).
	if p := last.Progress; p.Listed != 13 || p.Evaluated != 13 || p.Pages != len(service.Registry.LiveTypes()) {
		t.Errorf("sweep progress = %+v, want 13 listed and evaluated over %d pages", p, len(service.Registry.LiveTypes()))
	}
}

// TestTwoAccounts: a second account is handled through AssumeRole of its
// own remediation role; an account not on the allow-list is refused.
func TestTwoAccounts(t *testing.T) {
	ctx := context.Background()
	const second, stranger = "222222222222", "333333333333"
	s := newStack(t, func(c *config.Config) {
		c.Accounts = []string{Account, second}
		c.Stages = append(c.Stages, contract.StageRule{Account: second, Stage: contract.StageActive})
	})
	workerARN := "arn:aws:iam::" + Account + ":user/" + WorkerUser
	seed := fakecloud.Seed{Accounts: []fakecloud.AccountSeed{
		{ID: second, Users: []fakecloud.UserSeed{{Name: "bob", AccessKeyID: "AKIAFAKEBOB000000001", SecretAccessKey: "b"}},
			Roles:          []fakecloud.RoleSeed{{Name: RemediationRoleName, Trust: []string{workerARN}}},
			SecurityGroups: []fakecloud.SecurityGroupSeed{{Region: Region, GroupName: "app" + s.suffix, Description: "app"}}},
		{ID: stranger, Users: []fakecloud.UserSeed{{Name: "eve", AccessKeyID: "AKIAFAKEEVE000000001", SecretAccessKey: "e"}},
			SecurityGroups: []fakecloud.SecurityGroupSeed{{Region: Region, GroupName: "other" + s.suffix, Description: "other"}}},
	}}
	if err := s.cloud.Apply(seed); err != nil {
		t.Fatal(err)
	}
	open := func(key, secret string) string {
		cfg := aws.Config{Region: Region, BaseEndpoint: aws.String(s.endpoint), Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
		client := ec2.NewFromConfig(cfg)
		out, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		if err != nil || len(out.SecurityGroups) == 0 {
			t.Fatalf("list groups: %v", err)
		}
		id := aws.ToString(out.SecurityGroups[len(out.SecurityGroups)-1].GroupId)
		if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	bobGroup := open("AKIAFAKEBOB000000001", "b")
	eveGroup := open("AKIAFAKEEVE000000001", "e")

	s.waitState(contract.RemediationID(PolicySGAdminPorts, svcec2.SecurityGroupARN(second, Region, bobGroup)), contract.StateResolved)
	if n := s.events.count("RevokeSecurityGroupIngress", "arn:aws:sts::"+second+":assumed-role/"+RemediationRoleName); n != 1 {
		t.Errorf("revokes in %s by its remediation role = %d, want 1", second, n)
	}
	waitFor(t, "the stranger's event to be refused", func() bool { return s.app.Stats.Snapshot().Refused >= 1 })
	if n := s.runs(ctx, contract.EvaluateID(svcec2.SecurityGroupARN(stranger, Region, eveGroup))); n != 0 {
		t.Errorf("an account off the allow-list was evaluated (%d runs)", n)
	}
}

// TestStorm: 1,000 events on 10 resources are all seen (0 lost), cost at
// most 20 evaluation passes, and every violation is fixed.
func TestStorm(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) { c.Settle = config.Duration(3 * time.Second) })
	var groups []string
	for i := range 10 {
		id, err := s.cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{Region: Region, GroupName: fmt.Sprintf("storm%s-%d", s.suffix, i), Description: "storm"})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, id)
	}
	ec := s.ec2()
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() {
			for j := range 99 {
				if _, err := ec.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{g},
					Tags: []ec2types.Tag{{Key: aws.String("n"), Value: aws.String(fmt.Sprint(j))}}}); err != nil {
					t.Error(err)
				}
			}
			if _, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(g), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"),
					IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	passes, changes := 0, 0
	for _, g := range groups {
		arn := svcec2.SecurityGroupARN(Account, Region, g)
		s.waitState(contract.RemediationID(PolicySGAdminPorts, arn), contract.StateResolved)
		p, c := evaluationTotals(t, ctx, contract.EvaluateID(arn))
		passes += p
		changes += c
	}
	if changes != 1000 {
		t.Errorf("evaluations saw %d changes, want all 1000", changes)
	}
	if passes > 20 {
		t.Errorf("%d evaluation passes for 10 resources, want <= 20", passes)
	}
	visible, inflight, err := s.cloud.QueueDepth(s.cfg.Queue.URL)
	if err != nil || visible+inflight != 0 {
		t.Errorf("event queue still holds %d+%d messages (%v)", visible, inflight, err)
	}
	t.Logf("storm: 1000 events, %d passes", passes)
}

// evaluationTotals sums passes and changes over every run of an Evaluate.
func evaluationTotals(t testing.TB, ctx context.Context, id string) (passes, changes int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := temporalServer.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("WorkflowId = '%s'", id)})
		if err != nil {
			t.Fatal(err)
		}
		passes, changes = 0, 0
		running := false
		for _, e := range resp.Executions {
			if e.GetStatus().String() == "Running" {
				running = true
				continue
			}
			var res contract.EvaluateResult
			if err := temporalServer.Client.GetWorkflow(ctx, id, e.GetExecution().GetRunId()).Get(ctx, &res); err != nil {
				t.Fatal(err)
			}
			passes += res.Passes
			changes += res.Changes
		}
		if !running || time.Now().After(deadline) {
			return passes, changes
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMalformedGoesToDLQ: an unparseable message is retried until the
// redrive policy moves it to the dead-letter queue; the starter keeps
// working meanwhile; dlq inspect names the parse error.
func TestMalformedGoesToDLQ(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) { c.Queue.VisibilityTimeout = config.Duration(time.Second) })
	client := sqs.NewFromConfig(aws.Config{Region: Region, BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(StarterKeyID, StarterSecret, "")})
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(s.cfg.Queue.URL), MessageBody: aws.String(`{"detail-type": "AWS API Call via CloudTrail", "detail": "truncated`)}); err != nil {
		t.Fatal(err)
	}
	s.openSSH(ctx) // a good event behind the bad one
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)
	waitFor(t, "the bad message to reach the DLQ", func() bool {
		visible, inflight, err := s.cloud.QueueDepth(s.cfg.Queue.DLQURL)
		return err == nil && visible+inflight == 1
	})
	if got := s.app.Stats.Snapshot().Unparseable; got < MaxReceiveCount {
		t.Errorf("unparseable count = %d, want >= %d tries", got, MaxReceiveCount)
	}
	msgs, err := starter.InspectDLQ(ctx, client, s.cfg.Queue.DLQURL, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Error == "" {
		t.Fatalf("inspect = %+v, %v", msgs, err)
	}
	// Still unparseable: redrive keeps it where it is.
	res, err := starter.Redrive(ctx, client, s.cfg.Queue.DLQURL, s.cfg.Queue.URL, true)
	if err != nil || res.Moved != 0 || res.Kept != 1 {
		t.Errorf("redrive = %+v, %v; want it kept", res, err)
	}
}

// TestConfigNotifications: an AWS Config change notification, delivered
// each of the ways AWS delivers it, leads to the fix of a violation that
// produced no CloudTrail event.
func TestConfigNotifications(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind fakecloud.ConfigDeliveryKind
	}{
		{"sns wrapped", fakecloud.ConfigViaSNS},
		{"raw delivery", fakecloud.ConfigRaw},
		{"eventbridge", fakecloud.ConfigViaEventBridge},
		{"oversized", fakecloud.ConfigOversized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, nil)
			id, err := s.cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{
				Region: Region, GroupName: "cfg" + s.suffix, Description: "changed without CloudTrail", Ingress: worldSSH,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.cloud.EmitConfigChange(s.cfg.Queue.URL, fakecloud.ConfigDelivery{Kind: tc.kind}, Account, Region, "AWS::EC2::SecurityGroup", id); err != nil {
				t.Fatal(err)
			}
			s.waitState(contract.RemediationID(PolicySGAdminPorts, svcec2.SecurityGroupARN(Account, Region, id)), contract.StateResolved)
		})
	}
}

// TestSecurityHubFindings: another tool's failed finding leads to the fix;
// rectify's own findings, coming back through the same event bus, are
// ignored and start nothing.
func TestSecurityHubFindings(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	id, err := s.cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{
		Region: Region, GroupName: "fsbp" + s.suffix, Description: "found by another tool", Ingress: worldSSH,
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := svcec2.SecurityGroupARN(Account, Region, id)
	now := time.Now().UTC().Format(time.RFC3339)
	finding := map[string]any{
		"SchemaVersion": "2018-10-08", "Id": "arn:aws:securityhub:us-east-1:" + Account + ":subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.13/finding/1",
		"ProductArn":  "arn:aws:securityhub:us-east-1::product/aws/securityhub",
		"GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.13", "AwsAccountId": Account,
		"Types": []any{"Software and Configuration Checks/Industry and Regulatory Standards"}, "CreatedAt": now, "UpdatedAt": now,
		"Severity": map[string]any{"Label": "HIGH"}, "Title": "EC2.13 Security groups should not allow ingress from 0.0.0.0/0 to port 22",
		"Description": "d", "Resources": []any{map[string]any{"Type": "AwsEc2SecurityGroup", "Id": arn, "Region": Region, "Partition": "aws"}},
		"Compliance": map[string]any{"Status": "FAILED"}, "RecordState": "ACTIVE", "Workflow": map[string]any{"Status": "NEW"},
	}
	if err := s.cloud.EmitSecurityHubImported(s.cfg.Queue.URL, Account, Region, finding); err != nil {
		t.Fatal(err)
	}
	s.waitState(contract.RemediationID(PolicySGAdminPorts, arn), contract.StateResolved)
	s.finding(ctx, PolicySGAdminPorts, resource.Ref{ARN: arn}, shtypes.WorkflowStatusResolved)
	before := s.runs(ctx, contract.EvaluateID(arn))

	// rectify's own findings of this fix come back as Imported events.
	if err := s.cloud.EmitFindingsOf(s.cfg.Queue.URL, Account, Region, func(f map[string]any) bool {
		g, _ := f["GeneratorId"].(string)
		return strings.HasPrefix(g, "rectify/")
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "rectify's own finding to be ignored", func() bool { return s.app.Stats.Snapshot().Ignored["own finding"] >= 1 })
	if after := s.runs(ctx, contract.EvaluateID(arn)); after != before {
		t.Errorf("rectify's own finding started an evaluation (%d runs, was %d)", after, before)
	}
}
