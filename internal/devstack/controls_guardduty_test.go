package devstack

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcgd "github.com/rectifyhq/rectify/internal/service/guardduty"
)

const policyGuardDutyEnabled = "aws.guardduty.enabled"

// TestGuardDutyReEnabledAfterApproval: the human disables the region's
// GuardDuty detector (UpdateDetector enable=false); the CloudTrail event
// drives rectify to ask for approval (the policy's default mode: GuardDuty
// costs money), the approver approves, and the remediation role enables
// the same detector, verified and recorded. Undo disables it again; the
// setting has no tags to hold an exemption, so the workflow ends Undone
// with a note telling the human to add a config exemption.
func TestGuardDutyReEnabledAfterApproval(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	client := guardduty.NewFromConfig(s.human())
	ref := resource.Ref{Type: svcgd.TypeDetector, ID: Region, ARN: svcgd.DetectorSettingARN(Account, Region), Account: Account, Region: Region}

	list, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.DetectorIds) != 1 {
		t.Fatalf("the stack's region has detectors %v, want the seeded one", list.DetectorIds)
	}
	id := list.DetectorIds[0]
	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyGuardDutyEnabled, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if _, on := s.cloud.GuardDutyDetector(Account, Region); on {
		t.Fatal("the detector was enabled before anyone approved")
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if got, on := s.cloud.GuardDutyDetector(Account, Region); got != id || !on {
		t.Fatalf("after the remediation: detector %q enabled %v, want %s enabled", got, on, id)
	}
	if n := s.events.count("UpdateDetector", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called UpdateDetector %d times, want 1", n)
	}
	if n := s.events.count("CreateDetector", RemediationRoleName); n != 0 {
		t.Errorf("the remediation role created %d detectors beside the disabled one", n)
	}
	s.wantResolvedFinding(ctx, policyGuardDutyEnabled, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "sandbox region, GuardDuty budget not approved"}); err != nil {
		t.Fatal(err)
	}
	st = s.waitState(wid, contract.StateUndone)
	if got, on := s.cloud.GuardDutyDetector(Account, Region); got != id || on {
		t.Errorf("after undo: detector %q enabled %v, want %s disabled again", got, on, id)
	}
	if !strings.Contains(st.Reason, "NOT exempt") || !strings.Contains(st.Reason, "exemptions: [{arn:") {
		t.Errorf("reason after undo = %q, want it to point the human at a config exemption", st.Reason)
	}
}

// TestGuardDutyDetectorRecreatedAndUndoDeletesIt: the human deletes the
// region's detector (DeleteDetector); after approval the remediation role
// creates an enabled one, verified and recorded. Undo deletes the detector
// the fix created, leaving the region as the human left it. It runs in
// another region than the stack's: the setting's ARN, and so its workflow
// id, is the region's, and the test above owns the stack region's.
func TestGuardDutyDetectorRecreatedAndUndoDeletesIt(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	const region = "eu-west-1"
	client := guardduty.NewFromConfig(s.human(), func(o *guardduty.Options) { o.Region = region })
	ref := resource.Ref{Type: svcgd.TypeDetector, ID: region, ARN: svcgd.DetectorSettingARN(Account, region), Account: Account, Region: region}

	old, err := s.cloud.SeedDetector(Account, fakecloud.DetectorSeed{Region: region, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(old)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyGuardDutyEnabled, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if id, _ := s.cloud.GuardDutyDetector(Account, region); id != "" {
		t.Fatalf("detector %s exists before anyone approved", id)
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateResolved)
	created, on := s.cloud.GuardDutyDetector(Account, region)
	if created == "" || created == old || !on {
		t.Fatalf("after the remediation: detector %q enabled %v, want a new enabled one", created, on)
	}
	if n := s.events.count("CreateDetector", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called CreateDetector %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyGuardDutyEnabled, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the region is being closed down"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if id, _ := s.cloud.GuardDutyDetector(Account, region); id != "" {
		t.Errorf("after undo the region still has detector %s, want none", id)
	}
	if n := s.events.count("DeleteDetector", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called DeleteDetector %d times, want 1", n)
	}
}

// TestFixedByAPersonWhileAwaitingApproval: a violation waits for approval,
// and the human fixes it themselves meanwhile (enables the detector
// again). The evaluation of that change hands the passing verdict to the
// waiting Remediation from its read (generation 1: no Dispatch), which
// closes as fixed by others and applies nothing.
func TestFixedByAPersonWhileAwaitingApproval(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	const region = "ap-southeast-2" // its own region: the setting's workflow id is the region's
	client := guardduty.NewFromConfig(s.human(), func(o *guardduty.Options) { o.Region = region })
	ref := resource.Ref{Type: svcgd.TypeDetector, ID: region, ARN: svcgd.DetectorSettingARN(Account, region), Account: Account, Region: region}
	id, err := s.cloud.SeedDetector(Account, fakecloud.DetectorSeed{Region: region, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyGuardDutyEnabled, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateClosed)
	if st.Remediations != 0 {
		t.Errorf("remediations = %d, want 0: the person fixed it", st.Remediations)
	}
	if n := s.events.count("UpdateDetector", RemediationRoleName); n != 0 {
		t.Errorf("the remediation role called UpdateDetector %d times, want 0", n)
	}
}
