package devstack

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svccfg "github.com/rectifyhq/rectify/internal/service/configservice"
)

const policyConfigRecording = "aws.config.recording"

// configRemediation names the role and bucket config_start_recorder needs
// to create a recorder; with them the control enforces.
func configRemediation(c *config.Config) {
	c.Remediation = map[string]any{"config": map[string]any{
		"role_arn": "arn:aws:iam::{account}:role/aws-config-role",
		"bucket":   "config-{account}-{region}",
	}}
}

// TestConfigRecorderStoppedNotifiedThenRestarted: the human stops the
// region's AWS Config recorder (StopConfigurationRecorder through the
// SDK). Without remediation.config.* the CloudTrail event is only
// notified; with them (a second stack) rectify starts the same recorder,
// verified and recorded in Security Hub, and undo stops it again.
func TestConfigRecorderStoppedNotifiedThenRestarted(t *testing.T) {
	ctx := context.Background()
	ref := resource.Ref{Type: svccfg.TypeRecorder, ID: Region, ARN: svccfg.RecorderSettingARN(Account, Region), Account: Account, Region: Region}
	wid := contract.RemediationID(policyConfigRecording, ref.ARN)
	stop := func(s *stack) string {
		t.Helper()
		client := configservice.NewFromConfig(s.human())
		out, err := client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
		if err != nil || len(out.ConfigurationRecorders) != 1 {
			t.Fatalf("the stack's region has recorders %+v (%v), want the seeded one", out, err)
		}
		name := aws.ToString(out.ConfigurationRecorders[0].Name)
		if _, err := client.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		return name
	}

	t.Run("notify until configured", func(t *testing.T) {
		s := newStack(t, nil)
		stop(s)
		if st := s.waitState(wid, contract.StateNotified); st.Mode != contract.ModeNotify {
			t.Errorf("mode = %s, want notify until the role and bucket are configured", st.Mode)
		}
		f := s.finding(ctx, policyConfigRecording, ref, shtypes.WorkflowStatusNotified)
		if !strings.Contains(aws.ToString(f.Description), "remediation."+svccfg.RoleOption) {
			t.Errorf("finding description %q does not name remediation.%s", aws.ToString(f.Description), svccfg.RoleOption)
		}
		if _, on, _ := s.cloud.ConfigRecorder(Account, Region); on {
			t.Error("the recorder records again: notify changes nothing")
		}
	})

	t.Run("enforced: the stopped recorder is started", func(t *testing.T) {
		s := newStack(t, configRemediation)
		name := stop(s)
		if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
			t.Errorf("remediations = %d, want 1", st.Remediations)
		}
		if got, on, _ := s.cloud.ConfigRecorder(Account, Region); got != name || !on {
			t.Fatalf("after the remediation: recorder %q recording %v, want %s recording", got, on, name)
		}
		if n := s.events.count("StartConfigurationRecorder", RemediationRoleName); n != 1 {
			t.Errorf("the remediation role called StartConfigurationRecorder %d times, want 1", n)
		}
		if n := s.events.count("PutConfigurationRecorder", RemediationRoleName); n != 0 {
			t.Errorf("the remediation role made %d recorders beside the stopped one", n)
		}
		s.wantResolvedFinding(ctx, policyConfigRecording, ref)

		if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "Config budget moved to the org aggregator"}); err != nil {
			t.Fatal(err)
		}
		s.waitState(wid, contract.StateUndone)
		if got, on, _ := s.cloud.ConfigRecorder(Account, Region); got != name || on {
			t.Errorf("after undo: recorder %q recording %v, want %s stopped again", got, on, name)
		}
	})
}

// TestConfigRecorderDeletedRecreatedAndUndoDeletesIt: in a region whose
// recorder has no delivery channel, the human deletes the recorder
// (DeleteConfigurationRecorder). rectify creates a recorder with the
// configured role, a delivery channel into the configured bucket, and
// starts it; undo deletes both, leaving the region as the human left it.
// It runs in another region than the stack's: the setting's workflow id
// is the region's, and the test above owns the stack region's.
func TestConfigRecorderDeletedRecreatedAndUndoDeletesIt(t *testing.T) {
	ctx := context.Background()
	const region = "eu-west-1"
	s := newStack(t, configRemediation)
	ref := resource.Ref{Type: svccfg.TypeRecorder, ID: region, ARN: svccfg.RecorderSettingARN(Account, region), Account: Account, Region: region}
	client := configservice.NewFromConfig(s.human(), func(o *configservice.Options) { o.Region = region })
	if err := s.cloud.SeedRecorder(Account, fakecloud.RecorderSeed{Region: region, Name: "legacy"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("legacy")}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyConfigRecording, ref.ARN)
	s.waitState(wid, contract.StateResolved)
	name, on, bucket := s.cloud.ConfigRecorder(Account, region)
	if name != svccfg.DefaultRecorderName || !on || bucket != "config-"+Account+"-"+region {
		t.Fatalf("after the remediation: recorder %q recording %v into %q, want %s recording into config-%s-%s", name, on, bucket, svccfg.DefaultRecorderName, Account, region)
	}
	recs, err := client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 || aws.ToString(recs.ConfigurationRecorders[0].RoleARN) != "arn:aws:iam::"+Account+":role/aws-config-role" {
		t.Errorf("recorders = %+v (%v), want one with the configured role", recs, err)
	}
	for _, call := range []string{"PutConfigurationRecorder", "PutDeliveryChannel", "StartConfigurationRecorder"} {
		if n := s.events.count(call, RemediationRoleName); n != 1 {
			t.Errorf("the remediation role called %s %d times, want 1", call, n)
		}
	}
	s.wantResolvedFinding(ctx, policyConfigRecording, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the region is being closed down"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if name, _, bucket := s.cloud.ConfigRecorder(Account, region); name != "" || bucket != "" {
		t.Errorf("after undo: recorder %q, channel into %q; want neither", name, bucket)
	}
	if n := s.events.count("DeleteConfigurationRecorder", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called DeleteConfigurationRecorder %d times, want 1", n)
	}
}
