// Package guardduty holds rectify's knowledge of Amazon GuardDuty: whether
// a region has an enabled detector (FSBP GuardDuty.1), read live, named by
// its CloudTrail calls and its Terraform resource, and the action that
// turns it on.
package guardduty

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeDetector is the Terraform type of a GuardDuty detector.
const TypeDetector = "aws_guardduty_detector"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Detector}

const source = "guardduty.amazonaws.com"

// Detector is GuardDuty in one account and region, judged as a setting:
// AWS allows at most one detector per account and region, and what
// GuardDuty.1 asks is that the region has one and that it is enabled. A
// region without a detector is therefore a resource too (enabled: false),
// which is why the kind is a setting named by its region and not a
// resource named by its detector id: the absence a detector id cannot
// name is the violation. A sweep yields the one setting of its region
// without a call. Exemptions are config entries only (the setting has
// nothing to carry a tag when there is no detector).
//
// properties:
//
//	{"enabled": bool,          // a detector exists and its status is ENABLED; absent when unknown
//	 "detector_id": "…"}       // absent when there is no detector
var Detector = &kind.Kind{
	Type:     TypeDetector,
	Noun:     "GuardDuty detector setting",
	ASFFType: "Other",
	Scope:    kind.ScopeRegion,
	ARN:      func(account, region, _ string) string { return DetectorSettingARN(account, region) },
	// Both rectify's own setting ARN and a real detector ARN
	// (detector/<id>) name the region's setting: there is one per region.
	// What lives under a detector (detector/<id>/filter/<name>) does not.
	ParseARN: func(a kind.ARN) (string, bool) {
		id, isDetector := strings.CutPrefix(a.Resource, "detector/")
		return a.Region, a.Service == "guardduty" && a.Region != "" &&
			(a.Resource == "detector" || isDetector && id != "" && !strings.Contains(id, "/"))
	},
	Fetch:     fetchDetector,
	Normalize: normalizeDetector,
	Calls: []kind.Call{
		// DeleteDetector does not delete the setting: it leaves the region
		// without GuardDuty, which is the violation to judge.
		{Source: source, Names: []string{"CreateDetector", "UpdateDetector", "DeleteDetector"}},
	},
	Plan: plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){
		TypeDetector: planDetector,
	}},
	Actions:     []*kind.Action{EnableDetector},
	Permissions: kind.Permissions{Read: []string{"guardduty:ListDetectors", "guardduty:GetDetector"}},
}

// DetectorSettingARN names the region's GuardDuty setting. A detector has
// an ARN of its own (detector/<id>), but the setting must be named when
// there is no detector, and must keep its name when a detector is deleted
// and another created: resource identity, workflow IDs and finding IDs are
// all keyed by ARN.
func DetectorSettingARN(account, region string) string {
	return "arn:aws:guardduty:" + region + ":" + account + ":detector"
}

// DetectorState is what the live plane reads: the region's detector id
// (ListDetectors; empty when there is none) and its status (GetDetector).
type DetectorState struct {
	DetectorID string `json:"DetectorId,omitempty"`
	Status     string `json:"Status,omitempty"`
}

// readDetector reads the region's detector; a zero state when there is
// none. ListDetectors returns at most one id: GuardDuty allows one
// detector per account and region.
func readDetector(ctx context.Context, client *guardduty.Client, account, region string) (DetectorState, error) {
	out, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		return DetectorState{}, awserr.Wrap(ctx, fmt.Sprintf("list guardduty detectors in %s/%s", account, region), err)
	}
	if len(out.DetectorIds) == 0 {
		return DetectorState{}, nil
	}
	id := out.DetectorIds[0]
	det, err := client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
	if err != nil {
		return DetectorState{}, awserr.Wrap(ctx, fmt.Sprintf("get guardduty detector %s in %s/%s", id, account, region), err)
	}
	return DetectorState{DetectorID: id, Status: string(det.Status)}, nil
}

// fetchDetector reads the region's setting. It always exists.
func fetchDetector(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	s, err := readDetector(ctx, env.AWS.GuardDuty(ref.Account, ref.Region), ref.Account, ref.Region)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return DetectorResource(ref.Account, ref.Region, s), true, nil
}

func normalizeDetector(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s DetectorState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return DetectorResource(account, region, s), nil
}

// DetectorResource normalizes the region's detector. No detector is
// enabled: false. A detector whose status GuardDuty did not say leaves
// enabled absent (unknown) rather than a false that would deny.
func DetectorResource(account, region string, s DetectorState) resource.Resource {
	props := map[string]any{}
	switch {
	case s.DetectorID == "":
		props["enabled"] = false
	case s.Status != "":
		props["enabled"] = s.Status == string(gdtypes.DetectorStatusEnabled)
	}
	if s.DetectorID != "" {
		props["detector_id"] = s.DetectorID
	}
	return resource.Resource{
		Type: TypeDetector, ARN: DetectorSettingARN(account, region), ID: region, Name: region,
		Account: account, Region: region, Tags: map[string]string{}, Plane: resource.PlaneLive, Properties: props,
	}
}

// planDetector is the region's setting as a plan declares it, named by
// its region as the live plane names it. Terraform's enable defaults to
// true, so a detector planned without it is enabled. A plan that declares
// no detector says nothing about the region: it may have one made outside
// Terraform, so absence is judged on the live plane only.
func planDetector(in *plan.Instance) (resource.Resource, error) {
	r := plan.Identity(in, TypeDetector, in.Region())
	r.ID = in.Region()
	r.Properties = map[string]any{}
	if in.Unknown("enable") {
		return r, nil
	}
	if v, ok := plan.Bool(in.After(), "enable"); ok {
		r.Properties["enabled"] = v
	} else {
		r.Properties["enabled"] = true
	}
	return r, nil
}
