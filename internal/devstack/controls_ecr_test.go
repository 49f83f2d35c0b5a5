package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	svcecr "github.com/rectifyhq/rectify/internal/service/ecr"
)

const policyECRScanOnPush = "aws.ecr.scan_on_push"

// TestECRScanOnPushTurnedOn: the human creates a private repository
// without scan on push; the CreateRepository event drives rectify to turn
// it on (enforce), verified and recorded. The human then turns it off
// (PutImageScanningConfiguration) and rectify turns it on again. Undo
// turns it off and tags the repository exempt.
func TestECRScanOnPushTurnedOn(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name := "team/app" + s.suffix
	client := ecr.NewFromConfig(s.human())
	out, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	ref := resource.Ref{Type: svcecr.TypeRepository, ID: name, ARN: svcecr.RepositoryARN(Account, Region, name), Account: Account, Region: Region}
	if arn := aws.ToString(out.Repository.RepositoryArn); arn != ref.ARN {
		t.Fatalf("repository ARN %s, want %s", arn, ref.ARN)
	}
	wid := contract.RemediationID(policyECRScanOnPush, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if on, _ := s.cloud.RepositoryScanOnPush(Account, Region, name); !on {
		t.Fatal("scan on push is still off after the remediation")
	}
	if n := s.events.count("PutImageScanningConfiguration", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called PutImageScanningConfiguration %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyECRScanOnPush, ref)

	// The human turns it off again: the same violation, fixed once more.
	if _, err := client.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String(name),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: false}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "scan on push to be turned on again", func() bool {
		on, _ := s.cloud.RepositoryScanOnPush(Account, Region, name)
		return on && s.events.count("PutImageScanningConfiguration", RemediationRoleName) == 2
	})
	st := s.waitState(wid, contract.StateResolved)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the registry scans with Inspector instead"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if on, _ := s.cloud.RepositoryScanOnPush(Account, Region, name); on {
		t.Errorf("scan on push after undo is on, want off again (state before: %+v)", st)
	}
	tags, err := client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(ref.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	wantExempt(t, got, policyECRScanOnPush)
}
