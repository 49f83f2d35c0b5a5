package cloudtrail

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// StartLogging restarts a stopped trail. It is safe to repeat, and every
// minute stopped is activity nobody will ever see (rectify included: it
// learns of changes from this very trail).
var StartLogging = &kind.Action{
	Name:        "cloudtrail_start_logging",
	Permissions: []string{"cloudtrail:GetTrailStatus", "cloudtrail:StartLogging", "cloudtrail:StopLogging"},
	Describe: func(params map[string]any) string {
		name, _ := params["name"].(string)
		return "start logging on CloudTrail trail " + name
	},
	Snapshot: snapshotLogging,
	Apply:    startLogging,
	Undo:     undoLogging,
}

// loggingSnapshot is the logging switch before the change.
type loggingSnapshot struct {
	TrailARN string `json:"trail_arn"`
	Logging  bool   `json:"logging"`
}

// paramTrail checks that params.name is the resource's trail. The calls
// then name the trail by ARN, which works whatever the caller's region.
func paramTrail(ref resource.Ref, params map[string]any) error {
	raw, ok := params["name"]
	if !ok || raw == nil {
		return nil
	}
	if name, _ := raw.(string); name != ref.ID && name != ref.ARN {
		return awserr.Permanent(awserr.InvalidParams, "params.name %v is not the resource's trail %s", raw, ref.ID)
	}
	return nil
}

func trailLogging(ctx context.Context, client *cloudtrail.Client, arn string) (bool, error) {
	out, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		return false, awserr.Wrap(ctx, "get status of trail "+arn, err)
	}
	return aws.ToBool(out.IsLogging), nil
}

func snapshotLogging(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	if err := paramTrail(ref, params); err != nil {
		return nil, err
	}
	on, err := trailLogging(ctx, env.AWS.CloudTrail(ref.Account, ref.Region), ref.ARN)
	if err != nil {
		return nil, err
	}
	return loggingSnapshot{TrailARN: ref.ARN, Logging: on}, nil
}

func startLogging(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	if err := paramTrail(ref, params); err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.CloudTrail(ref.Account, ref.Region)
	on, err := trailLogging(ctx, client, ref.ARN)
	if err != nil {
		return kind.Applied{}, err
	}
	if on {
		return kind.Applied{Summary: "trail " + ref.ID + " is already logging"}, nil
	}
	if _, err := client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(ref.ARN)}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "start logging on trail "+ref.ID, err)
	}
	return kind.Applied{Changed: true, Summary: "started logging on trail " + ref.ID}, nil
}

func undoLogging(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap loggingSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.TrailARN == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo cloudtrail_start_logging on %s: snapshot: %v", ref.ID, err)
	}
	if snap.Logging {
		return nil // it was logging before: nothing of ours to take back
	}
	if _, err := env.AWS.CloudTrail(ref.Account, ref.Region).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(snap.TrailARN)}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("stop logging on trail %s (undo)", ref.ID), err)
	}
	return nil
}
