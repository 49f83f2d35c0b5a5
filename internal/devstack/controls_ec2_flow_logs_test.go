package devstack

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
)

const policyEC2VPCFlowLogs = "aws.ec2.vpc_flow_logs"

// TestVPCFlowLogsNotifiedThenCreated: the human creates a VPC, which has no
// flow logs. Without remediation.vpc_flow_logs.destination the CreateVpc
// event is only notified; with it (a second stack), rectify creates a flow
// log of rejected traffic into the configured bucket (enforce), verified
// and recorded, and undo deletes exactly that flow log, leaving the one
// the human made meanwhile.
func TestVPCFlowLogsNotifiedThenCreated(t *testing.T) {
	ctx := context.Background()
	create := func(s *stack) (resource.Ref, *ec2.Client) {
		t.Helper()
		client := ec2.NewFromConfig(s.human())
		out, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.Vpc.VpcId)
		return resource.Ref{Type: svcec2.TypeVPC, ID: id, ARN: svcec2.VPCARN(Account, Region, id), Account: Account, Region: Region}, client
	}

	t.Run("notify until configured", func(t *testing.T) {
		s := newStack(t, nil)
		ref, _ := create(s)
		wid := contract.RemediationID(policyEC2VPCFlowLogs, ref.ARN)
		if st := s.waitState(wid, contract.StateNotified); st.Mode != contract.ModeNotify {
			t.Errorf("mode = %s, want notify until a destination is configured", st.Mode)
		}
		f := s.finding(ctx, policyEC2VPCFlowLogs, ref, shtypes.WorkflowStatusNotified)
		if !strings.Contains(aws.ToString(f.Description), "remediation."+svcec2.FlowLogsDestinationOption) {
			t.Errorf("finding description %q does not name remediation.%s", aws.ToString(f.Description), svcec2.FlowLogsDestinationOption)
		}
		if logs := s.cloud.VPCFlowLogs(Account, Region, ref.ID); len(logs) != 0 {
			t.Errorf("flow logs = %v, want none: notify changes nothing", logs)
		}
	})

	t.Run("enforced into the configured bucket", func(t *testing.T) {
		// {region} resolves, per VPC, to the region's flow log bucket.
		s := newStack(t, func(c *config.Config) {
			c.Remediation = map[string]any{"vpc_flow_logs": map[string]any{"destination": "arn:aws:s3:::{region}-flow-logs/vpc/"}}
		})
		ref, client := create(s)
		wid := contract.RemediationID(policyEC2VPCFlowLogs, ref.ARN)
		if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
			t.Errorf("remediations = %d, want 1", st.Remediations)
		}
		logs := s.cloud.VPCFlowLogs(Account, Region, ref.ID)
		if len(logs) != 1 {
			t.Fatalf("flow logs after the remediation = %v, want one", logs)
		}
		fl, _ := s.cloud.FlowLog(Account, Region, logs[0])
		if fl.TrafficType != "REJECT" || fl.DestinationType != "s3" || fl.Destination != "arn:aws:s3:::"+Region+"-flow-logs/vpc/" ||
			fl.Format != svcec2.DefaultFlowLogFormat {
			t.Errorf("flow log = %+v, want REJECT into the configured bucket in the default format", fl)
		}
		if n := s.events.count("CreateFlowLogs", RemediationRoleName); n != 1 {
			t.Errorf("the remediation role called CreateFlowLogs %d times, want 1", n)
		}
		s.wantResolvedFinding(ctx, policyEC2VPCFlowLogs, ref)

		// A flow log the human adds after the fix is not rectify's: undo
		// must leave it.
		theirs, err := client.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
			ResourceIds: []string{ref.ID}, ResourceType: "VPC", TrafficType: "ACCEPT",
			LogDestinationType: "s3", LogDestination: aws.String("arn:aws:s3:::netops-archive"),
		})
		if err != nil || len(theirs.FlowLogIds) != 1 {
			t.Fatalf("the human's CreateFlowLogs = %+v, %v", theirs, err)
		}
		if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "lab VPC: flow logs cost more than they tell"}); err != nil {
			t.Fatal(err)
		}
		s.waitState(wid, contract.StateUndone)
		if got := s.cloud.VPCFlowLogs(Account, Region, ref.ID); len(got) != 1 || got[0] != theirs.FlowLogIds[0] {
			t.Errorf("flow logs after undo = %v, want only the human's %v", got, theirs.FlowLogIds)
		}
		if n := s.events.count("DeleteFlowLogs", RemediationRoleName); n != 1 {
			t.Errorf("the remediation role called DeleteFlowLogs %d times, want 1", n)
		}
		wantExempt(t, ec2ResourceTags(ctx, t, client, ref.ID), policyEC2VPCFlowLogs)
	})
}
