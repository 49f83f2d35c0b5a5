package configservice

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// The remediation options of StartRecorder.
const (
	RoleOption   = "config.role_arn"
	BucketOption = "config.bucket"
)

// DefaultRecorderName is the name Config's console gives the recorder and
// delivery channel it makes; rectify uses it for the ones it creates.
const DefaultRecorderName = "default"

// StartRecorder makes AWS Config record in the resource's region (FSBP
// Config.1): it starts the region's stopped recorder, or, when there is
// none, creates a recorder of all supported resource types with the role
// in remediation.config.role_arn, a delivery channel into the bucket in
// remediation.config.bucket (unless one exists), and starts it. Until both
// are configured the control only notifies: which role Config assumes and
// where its history goes are the operator's decisions, and an action's
// options are all-or-nothing, so a stopped recorder waits for them too.
// Undo stops the recorder it started, or deletes the recorder and
// delivery channel it created.
var StartRecorder = &kind.Action{
	Name: "config_start_recorder",
	Permissions: []string{
		"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
		"config:DescribeDeliveryChannels", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
		"config:StartConfigurationRecorder", "config:StopConfigurationRecorder",
		"config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
		// PutConfigurationRecorder passes the operator's role to Config.
		"iam:PassRole",
	},
	Describe: func(params map[string]any) string {
		region, _ := params["region"].(string)
		if region == "" {
			region = "the region"
		}
		return "start AWS Config recording in " + region + " (start its recorder, or create one with remediation." +
			RoleOption + " delivering to remediation." + BucketOption + ")"
	},
	Snapshot: snapshotRecorder,
	Apply:    applyRecorder,
	Undo:     undoRecorder,
	Options: []kind.Option{
		{Key: RoleOption, Help: "IAM role AWS Config assumes to record a region that has no recorder ({account} is replaced by the " +
			"resource's account); it must trust config.amazonaws.com and carry AWS_ConfigRole. rectify passes it, never edits it."},
		{Key: BucketOption, Help: "S3 bucket that receives AWS Config's history and snapshots when rectify creates a delivery channel " +
			"({account} and {region} are replaced); its bucket policy must allow config.amazonaws.com to write (rectify never edits it)."},
	},
}

// recorderSnapshot is the region's Config before the change: no recorder
// (Recorder empty), or one and whether it recorded; Channel says whether
// a delivery channel existed.
type recorderSnapshot struct {
	Region    string `json:"region"`
	Recorder  string `json:"recorder,omitempty"`
	Recording bool   `json:"recording"`
	Channel   bool   `json:"channel"`
}

// cfgRegion checks that params.region, when the policy gave one, is the
// resource's region: the client is bound to ref.Region.
func cfgRegion(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["region"]
	if !ok || raw == nil {
		return ref.Region, nil
	}
	r, isString := raw.(string)
	switch {
	case !isString:
		return "", awserr.Permanent(awserr.InvalidParams, "config_start_recorder on %s: params.region: want a string, got %T", ref.ARN, raw)
	case r != ref.Region:
		return "", awserr.Permanent(awserr.InvalidParams, "config_start_recorder on %s: params.region %s is not the resource's region %s", ref.ARN, r, ref.Region)
	}
	return r, nil
}

// deliveryChannel returns the name of the region's delivery channel; empty
// when there is none (Config allows one per region).
func deliveryChannel(ctx context.Context, client *configservice.Client, account, region string) (string, error) {
	out, err := client.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil {
		return "", awserr.Wrap(ctx, fmt.Sprintf("describe config delivery channels in %s/%s", account, region), err)
	}
	for _, c := range out.DeliveryChannels {
		return aws.ToString(c.Name), nil
	}
	return "", nil
}

func snapshotRecorder(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	region, err := cfgRegion(ref, params)
	if err != nil {
		return nil, err
	}
	client := env.AWS.ConfigService(ref.Account, region)
	s, err := readRecorder(ctx, client, ref.Account, region)
	if err != nil {
		return nil, err
	}
	ch, err := deliveryChannel(ctx, client, ref.Account, region)
	if err != nil {
		return nil, err
	}
	return recorderSnapshot{Region: region, Recorder: s.Name, Recording: s.Recording != nil && *s.Recording, Channel: ch != ""}, nil
}

func applyRecorder(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	region, err := cfgRegion(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.ConfigService(ref.Account, region)
	s, err := readRecorder(ctx, client, ref.Account, region)
	if err != nil {
		return kind.Applied{}, err
	}
	if s.Recording != nil && *s.Recording {
		return kind.Applied{Summary: "AWS Config recorder " + s.Name + " already records in " + region}, nil
	}
	created := ""
	name := s.Name
	if name == "" {
		role := strings.ReplaceAll(env.Options[RoleOption], "{account}", ref.Account)
		if role == "" {
			return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "config_start_recorder on %s: remediation.%s is not set", ref.ARN, RoleOption)
		}
		name = DefaultRecorderName
		if _, err := client.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{
			ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
				Name: aws.String(name), RoleARN: aws.String(role),
				RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true},
			},
		}); err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("create config recorder in %s/%s", ref.Account, region), err)
		}
		created = "created AWS Config recorder " + name + " (role " + role + ")"
	}
	// A recorder starts only with a delivery channel: one made outside
	// rectify is kept, as it is the operator's.
	ch, err := deliveryChannel(ctx, client, ref.Account, region)
	if err != nil {
		return kind.Applied{}, err
	}
	if ch == "" {
		bucket := strings.NewReplacer("{account}", ref.Account, "{region}", region).Replace(env.Options[BucketOption])
		if bucket == "" {
			return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "config_start_recorder on %s: the region has no delivery channel and remediation.%s is not set", ref.ARN, BucketOption)
		}
		if _, err := client.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{
			DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String(DefaultRecorderName), S3BucketName: aws.String(bucket)},
		}); err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("create config delivery channel into %s in %s/%s", bucket, ref.Account, region), err)
		}
		created = strings.TrimPrefix(created+", a delivery channel into s3://"+bucket, ", ")
	}
	if _, err := client.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("start config recorder %s in %s/%s", name, ref.Account, region), err)
	}
	summary := "started AWS Config recorder " + name + " in " + region
	if created != "" {
		summary = created + "; " + summary
	}
	return kind.Applied{Changed: true, Summary: summary}, nil
}

func undoRecorder(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap recorderSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Region == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo config_start_recorder on %s: snapshot: %v", ref.ARN, err)
	}
	if snap.Recording {
		return nil // it recorded already: apply changed nothing
	}
	client := env.AWS.ConfigService(ref.Account, snap.Region)
	s, err := readRecorder(ctx, client, ref.Account, snap.Region)
	if err != nil {
		return err
	}
	if s.Name == "" {
		return nil // deleted meanwhile: nothing records, as before
	}
	if s.Recording == nil || *s.Recording {
		if _, err := client.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String(s.Name)}); err != nil {
			return awserr.Wrap(ctx, fmt.Sprintf("stop config recorder %s in %s/%s", s.Name, ref.Account, snap.Region), err)
		}
	}
	if snap.Recorder != "" && snap.Channel {
		return nil // both existed: stopping restores the snapshot
	}
	// What apply created goes: the delivery channel first, as Config
	// refuses to delete the last channel of a running recorder and the
	// channel names the recorder's destination.
	if !snap.Channel {
		if ch, err := deliveryChannel(ctx, client, ref.Account, snap.Region); err != nil {
			return err
		} else if ch != "" {
			if _, err := client.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String(ch)}); err != nil &&
				awserr.Code(err) != "NoSuchDeliveryChannelException" {
				return awserr.Wrap(ctx, fmt.Sprintf("delete config delivery channel %s in %s/%s", ch, ref.Account, snap.Region), err)
			}
		}
	}
	if snap.Recorder == "" {
		if _, err := client.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String(s.Name)}); err != nil &&
			awserr.Code(err) != "NoSuchConfigurationRecorderException" {
			return awserr.Wrap(ctx, fmt.Sprintf("delete config recorder %s in %s/%s", s.Name, ref.Account, snap.Region), err)
		}
	}
	return nil
}
