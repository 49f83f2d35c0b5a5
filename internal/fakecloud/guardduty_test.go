package fakecloud

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/guardduty/types"
)

// TestGuardDutyDetectors: the real GuardDuty client creates, reads,
// disables and deletes the region's one detector over REST-JSON; each
// change is a CloudTrail event naming the detector, and errors come back
// typed.
func TestGuardDutyDetectors(t *testing.T) {
	c, cfg := startCloud(t)
	client := guardduty.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)

	list := func() []string {
		t.Helper()
		out, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(50)})
		if err != nil {
			t.Fatal(err)
		}
		return out.DetectorIds
	}
	if ids := list(); len(ids) != 0 {
		t.Fatalf("a new account lists detectors %v", ids)
	}
	out, err := client.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.DetectorId)
	if ids := list(); len(id) != 32 || len(ids) != 1 || ids[0] != id {
		t.Fatalf("detector %q, listed %v", id, ids)
	}
	created := tap.last(t, "CreateDetector")
	if created["requestParameters"].(map[string]any)["enable"] != true || created["responseElements"].(map[string]any)["detectorId"] != id {
		t.Errorf("CreateDetector record = %v / %v", created["requestParameters"], created["responseElements"])
	}
	status := func() types.DetectorStatus {
		t.Helper()
		d, err := client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.CreatedAt) == "" || d.FindingPublishingFrequency != types.FindingPublishingFrequencySixHours {
			t.Errorf("detector = %+v", d)
		}
		return d.Status
	}
	if st := status(); st != types.DetectorStatusEnabled {
		t.Fatalf("status %s after create", st)
	}

	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if st := status(); st != types.DetectorStatusDisabled {
		t.Errorf("status %s after UpdateDetector enable=false", st)
	}
	upd := tap.last(t, "UpdateDetector")
	if p := upd["requestParameters"].(map[string]any); p["detectorId"] != id || p["enable"] != false {
		t.Errorf("UpdateDetector requestParameters = %v", p)
	}
	if _, on := c.GuardDutyDetector(DefaultAccount, "us-east-1"); on {
		t.Error("GuardDutyDetector reports it enabled")
	}

	// One detector per region: a second create is refused, and recorded.
	_, err = client.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	var bad *types.BadRequestException
	if !errors.As(err, &bad) {
		t.Errorf("second create: %v, want BadRequestException", err)
	}
	if d := tap.last(t, "CreateDetector"); d["errorCode"] != "BadRequestException" {
		t.Errorf("a refused CreateDetector is recorded with its error, got %v", d["errorCode"])
	}
	// An id that is not the caller's.
	_, err = client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("0123456789abcdef0123456789abcdef")})
	if !errors.As(err, &bad) {
		t.Errorf("unknown detector: %v, want BadRequestException", err)
	}
	// Another region has its own (no) detector.
	other := guardduty.NewFromConfig(cfg, func(o *guardduty.Options) { o.Region = "eu-west-1" })
	if o, err := other.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil || len(o.DetectorIds) != 0 {
		t.Errorf("eu-west-1 lists %v, %v", o, err)
	}

	if _, err := client.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if del := tap.last(t, "DeleteDetector"); del["requestParameters"].(map[string]any)["detectorId"] != id {
		t.Errorf("DeleteDetector record = %v", del["requestParameters"])
	}
	if ids := list(); len(ids) != 0 {
		t.Errorf("listed %v after DeleteDetector", ids)
	}
	if seeded, err := c.SeedDetector(DefaultAccount, DetectorSeed{Enabled: true}); err != nil || seeded == "" {
		t.Errorf("seed after delete: %q, %v", seeded, err)
	}
}
