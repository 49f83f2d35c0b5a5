package devstack

import (
	"context"
	"testing"

	svccloudtrail "github.com/rectifyhq/rectify/internal/service/cloudtrail"
	svckms "github.com/rectifyhq/rectify/internal/service/kms"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

const (
	policyKMSRotation       = "aws.kms.key_rotation"
	policyCloudTrailLogging = "aws.cloudtrail.logging"
)

// wantResolvedFinding checks the Security Hub finding of a fixed violation.
func (s *stack) wantResolvedFinding(ctx context.Context, policy string, ref resource.Ref) {
	s.t.Helper()
	f := s.finding(ctx, policy, ref, shtypes.WorkflowStatusResolved)
	if f.Workflow.Status != shtypes.WorkflowStatusResolved || f.Compliance.Status != shtypes.ComplianceStatusPassed || f.RecordState != shtypes.RecordStateArchived {
		s.t.Errorf("%s finding: workflow %s, compliance %s, record %s; want RESOLVED/PASSED/ARCHIVED",
			policy, f.Workflow.Status, f.Compliance.Status, f.RecordState)
	}
}

// TestKMSRotationTurnedBackOn: the human turns rotation off on a customer
// key; the DisableKeyRotation event drives rectify to turn it back on
// (enforce), verified and recorded; Undo turns it off again and tags the
// key exempt.
func TestKMSRotationTurnedBackOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil) // the policy defaults to enforce
	id, err := s.cloud.SeedKMSKey(Account, fakecloud.KMSKeySeed{Region: Region, Description: "orders" + s.suffix, RotationEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svckms.TypeKey, ID: id, ARN: svckms.KeyARN(Account, Region, id), Account: Account, Region: Region}
	client := kms.NewFromConfig(s.human())
	rotating := func() bool {
		t.Helper()
		out, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return out.KeyRotationEnabled
	}

	if _, err := client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(ref.ARN)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyKMSRotation, ref.ARN)
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if !rotating() {
		t.Fatal("rotation is still off after the remediation")
	}
	if n := s.events.count("EnableKeyRotation", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role enabled rotation %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyKMSRotation, ref)

	// Undo restores the snapshot (rotation off) and exempts the key.
	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "rotation breaks a legacy HSM sync"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if rotating() {
		t.Error("undo did not turn rotation off again")
	}
	tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	exempt := map[string]string{}
	for _, tg := range tags.Tags {
		exempt[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
	}
	if exempt[activities.TagExempt] != policyKMSRotation || exempt[activities.TagExemptUntil] == "" {
		t.Errorf("tags after undo = %v, want the key exempt from %s", exempt, policyKMSRotation)
	}
}

// TestCloudTrailStopLoggingRestarted: the human stops the account's only
// trail, which blinds EventBridge to everything after; the StopLogging
// event itself still arrives and rectify starts the trail again (enforce).
// Once it logs, events flow again; Undo stops it again.
func TestCloudTrailStopLoggingRestarted(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name := "org-trail" + s.suffix
	if err := s.cloud.SeedTrail(Account, fakecloud.TrailSeed{Name: name, Region: Region, Bucket: DemoBucket + s.suffix, MultiRegion: true, Logging: true}); err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svccloudtrail.TypeTrail, ID: name, ARN: svccloudtrail.TrailARN(Account, Region, name), Account: Account, Region: Region}
	client := cloudtrail.NewFromConfig(s.human())
	logging := func() bool {
		t.Helper()
		out, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.IsLogging)
	}

	before := s.cloud.EventsEmitted()
	if _, err := client.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyCloudTrailLogging, ref.ARN)
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if !logging() {
		t.Fatal("the trail is still stopped after the remediation")
	}
	if n := s.events.count("StartLogging", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role started logging %d times, want 1", n)
	}
	// The StopLogging reached the queue, and so did rectify's StartLogging
	// (the starter then drops it as its own).
	if got := s.cloud.EventsEmitted() - before; got < 2 {
		t.Errorf("%d events delivered since StopLogging, want at least StopLogging and StartLogging", got)
	}
	s.wantResolvedFinding(ctx, policyCloudTrailLogging, ref)

	// Logging again, the human's next change is seen and fixed (while
	// stopped it would not be: fakecloud's TestCloudTrailStoppedTrailBlindsEventBridge).
	s.openSSH(ctx)
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "trail replaced by the organization trail"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if logging() {
		t.Error("undo did not stop the trail again")
	}
}
