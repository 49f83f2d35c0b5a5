package ecr

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EnableScanOnPush turns on basic image scanning on push for a repository
// (FSBP ECR.1). Images already pushed are not scanned by it; pushes and
// pulls are unaffected.
var EnableScanOnPush = &kind.Action{
	Name:        "ecr_enable_scan_on_push",
	Permissions: []string{"ecr:DescribeRepositories", "ecr:PutImageScanningConfiguration"},
	Describe: func(params map[string]any) string {
		name, _ := params["repository_name"].(string)
		if name == "" {
			name = "the repository"
		}
		return "turn on image scanning on push for ECR repository " + name + " (scanOnPush=true)"
	},
	Snapshot: snapshotScanOnPush,
	Apply:    applyScanOnPush,
	Undo:     undoScanOnPush,
}

// scanSnapshot is scanOnPush before the change.
type scanSnapshot struct {
	Name       string `json:"name"`
	ScanOnPush bool   `json:"scan_on_push"`
}

func paramName(ref resource.Ref, params map[string]any) error {
	raw, ok := params["repository_name"]
	if !ok || raw == nil {
		return nil
	}
	if name, ok := raw.(string); !ok || name != ref.ID {
		return awserr.Permanent(awserr.InvalidParams, "ecr_enable_scan_on_push: params.repository_name %v is not the resource's repository %s", raw, ref.ID)
	}
	return nil
}

func scanOnPush(r ecrtypes.Repository) bool {
	return r.ImageScanningConfiguration != nil && r.ImageScanningConfiguration.ScanOnPush
}

func snapshotScanOnPush(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	if err := paramName(ref, params); err != nil {
		return nil, err
	}
	repo, ok, err := describe(ctx, env.AWS.ECR(ref.Account, ref.Region), ref)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("RepositoryNotFoundException", "snapshot ecr repository %s: it no longer exists", ref.ID)
	}
	return scanSnapshot{Name: ref.ID, ScanOnPush: scanOnPush(repo)}, nil
}

func applyScanOnPush(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	if err := paramName(ref, params); err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.ECR(ref.Account, ref.Region)
	repo, ok, err := describe(ctx, client, ref)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: "ECR repository " + ref.ID + " no longer exists"}, nil
	case scanOnPush(repo):
		return kind.Applied{Summary: "ECR repository " + ref.ID + " already scans images on push"}, nil
	}
	if err := putScanOnPush(ctx, client, ref, true); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "turned on image scanning on push for ECR repository " + ref.ID}, nil
}

func undoScanOnPush(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap scanSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Name == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo ecr_enable_scan_on_push on %s: snapshot: %v", ref.ID, err)
	}
	if snap.ScanOnPush {
		return nil // it was on already: apply changed nothing
	}
	return putScanOnPush(ctx, env.AWS.ECR(ref.Account, ref.Region), ref, false)
}

func putScanOnPush(ctx context.Context, client *ecr.Client, ref resource.Ref, on bool) error {
	if _, err := client.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
		RegistryId: aws.String(ref.Account), RepositoryName: aws.String(ref.ID),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: on},
	}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set scanOnPush=%t on ecr repository %s", on, ref.ID), err)
	}
	return nil
}
