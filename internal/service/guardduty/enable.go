package guardduty

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EnableDetector turns GuardDuty on in the resource's region (FSBP
// GuardDuty.1): it enables the region's detector, or creates an enabled
// one when there is none. GuardDuty bills by the volume of logs and events
// it analyses, which is why its policy asks for approval by default.
// Undo disables the detector it enabled, or deletes the one it created
// (with the findings it made meanwhile: a deleted detector keeps nothing).
var EnableDetector = &kind.Action{
	Name: "guardduty_enable_detector",
	Permissions: []string{
		"guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:CreateDetector",
		"guardduty:UpdateDetector", "guardduty:DeleteDetector",
		// CreateDetector's dependent action: it makes GuardDuty's
		// service-linked role in an account that never had GuardDuty.
		"iam:CreateServiceLinkedRole",
	},
	Describe: func(params map[string]any) string {
		region, _ := params["region"].(string)
		if region == "" {
			region = "the region"
		}
		return "turn on GuardDuty in " + region + " (enable its detector, or create one)"
	},
	Snapshot: snapshotDetector,
	Apply:    applyDetector,
	Undo:     undoDetector,
}

// detectorSnapshot is the region's GuardDuty before the change: no
// detector (DetectorID empty), or one with its status.
type detectorSnapshot struct {
	Region     string `json:"region"`
	DetectorID string `json:"detector_id,omitempty"`
	Enabled    bool   `json:"enabled"`
}

// gdRegion checks that params.region, when the policy gave one, is the
// resource's region: the client is bound to ref.Region.
func gdRegion(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["region"]
	if !ok || raw == nil {
		return ref.Region, nil
	}
	r, isString := raw.(string)
	switch {
	case !isString:
		return "", awserr.Permanent(awserr.InvalidParams, "guardduty_enable_detector on %s: params.region: want a string, got %T", ref.ARN, raw)
	case r != ref.Region:
		return "", awserr.Permanent(awserr.InvalidParams, "guardduty_enable_detector on %s: params.region %s is not the resource's region %s", ref.ARN, r, ref.Region)
	}
	return r, nil
}

func enabled(s DetectorState) bool { return s.Status == string(gdtypes.DetectorStatusEnabled) }

func snapshotDetector(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	region, err := gdRegion(ref, params)
	if err != nil {
		return nil, err
	}
	s, err := readDetector(ctx, env.AWS.GuardDuty(ref.Account, region), ref.Account, region)
	if err != nil {
		return nil, err
	}
	return detectorSnapshot{Region: region, DetectorID: s.DetectorID, Enabled: s.DetectorID != "" && enabled(s)}, nil
}

func applyDetector(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	region, err := gdRegion(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.GuardDuty(ref.Account, region)
	s, err := readDetector(ctx, client, ref.Account, region)
	if err != nil {
		return kind.Applied{}, err
	}
	switch {
	case s.DetectorID == "":
		out, err := client.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
		if err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, "create guardduty detector in "+ref.Account+"/"+region, err)
		}
		return kind.Applied{Changed: true, Summary: "created GuardDuty detector " + aws.ToString(out.DetectorId) + " (enabled) in " + region}, nil
	case enabled(s):
		return kind.Applied{Summary: "GuardDuty detector " + s.DetectorID + " is already enabled in " + region}, nil
	}
	if err := setEnabled(ctx, client, ref.Account, region, s.DetectorID, true); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "enabled GuardDuty detector " + s.DetectorID + " in " + region}, nil
}

func undoDetector(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap detectorSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Region == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo guardduty_enable_detector on %s: snapshot: %v", ref.ARN, err)
	}
	if snap.Enabled {
		return nil // it was on already: apply changed nothing
	}
	client := env.AWS.GuardDuty(ref.Account, snap.Region)
	if snap.DetectorID != "" {
		return setEnabled(ctx, client, ref.Account, snap.Region, snap.DetectorID, false)
	}
	// There was no detector: apply created the one there is now. Its id is
	// not in the snapshot (taken before it existed), so it is read back; a
	// region without one has nothing left to undo. GuardDuty allows one
	// detector per region, so the one there is the fix's unless someone
	// deleted it and made another since: undo restores "no detector"
	// either way, which is the state the snapshot recorded.
	s, err := readDetector(ctx, client, ref.Account, snap.Region)
	if err != nil || s.DetectorID == "" {
		return err
	}
	if _, err := client.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(s.DetectorID)}); err != nil {
		if awserr.Code(err) == "BadRequestException" {
			if again, rerr := readDetector(ctx, client, ref.Account, snap.Region); rerr == nil && again.DetectorID == "" {
				return nil // deleted meanwhile: the region is as it was
			}
		}
		return awserr.Wrap(ctx, fmt.Sprintf("delete guardduty detector %s in %s/%s", s.DetectorID, ref.Account, snap.Region), err)
	}
	return nil
}

func setEnabled(ctx context.Context, client *guardduty.Client, account, region, id string, on bool) error {
	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(on)}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set enable=%t on guardduty detector %s in %s/%s", on, id, account, region), err)
	}
	return nil
}
