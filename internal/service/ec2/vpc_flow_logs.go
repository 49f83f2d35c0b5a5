package ec2

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// The remediation options of CreateFlowLogs.
const (
	FlowLogsDestinationOption = "vpc_flow_logs.destination"
	FlowLogsTrafficOption     = "vpc_flow_logs.traffic_type"
	FlowLogsFormatOption      = "vpc_flow_logs.log_format"
)

// DefaultFlowLogFormat is the format AWS writes when none is given, spelt
// out so that the option always has a value.
const DefaultFlowLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} " +
	"${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// createdByTag marks the flow log the fix creates, so undo deletes that
// one and never a flow log someone else made on the VPC meanwhile.
const createdByTag = "rectify:created-by"

const createFlowLogsAction = "ec2_create_flow_logs"

// CreateFlowLogs gives a VPC a flow log into the operator's S3 bucket
// (FSBP EC2.6). Until remediation.vpc_flow_logs.destination is set the
// control only notifies: where network logs go, who may read them and what
// they cost is the operator's decision.
var CreateFlowLogs = &kind.Action{
	Name: createFlowLogsAction,
	// logs:CreateLogDelivery and logs:DeleteLogDelivery are what AWS
	// checks on the caller of CreateFlowLogs and DeleteFlowLogs for a
	// flow log that delivers to S3.
	Permissions: []string{"ec2:DescribeFlowLogs", "ec2:CreateFlowLogs", "ec2:CreateTags", "ec2:DeleteFlowLogs",
		"logs:CreateLogDelivery", "logs:DeleteLogDelivery"},
	Describe: func(params map[string]any) string {
		id, _ := params["vpc_id"].(string)
		if id == "" {
			id = "the VPC"
		}
		return "create a flow log for " + id + " into the S3 destination in remediation." + FlowLogsDestinationOption
	},
	Snapshot: snapshotFlowLogs,
	Apply:    applyFlowLogs,
	Undo:     undoFlowLogs,
	Options:  flowLogsOptions,
}

// flowLogsOptions are CreateFlowLogs' options, apart from the action so
// that apply can read them without an initialization cycle.
var flowLogsOptions = []kind.Option{
	{
		Key: FlowLogsDestinationOption,
		Help: "S3 bucket ARN (arn:aws:s3:::bucket, optionally /prefix) that receives VPC flow logs; {account} and {region} are " +
			"replaced by the VPC's. The bucket policy must allow delivery.logs.amazonaws.com to write (rectify never edits it).",
	},
	{Key: FlowLogsTrafficOption, Help: "traffic the flow log captures: REJECT (what FSBP EC2.6 asks for) or ALL", Default: "REJECT"},
	{Key: FlowLogsFormatOption, Help: "flow log record format; the default is AWS's default format", Default: DefaultFlowLogFormat},
}

// flowLogsOption is the operator's value of an option, else its default.
func flowLogsOption(env kind.Env, key string) string {
	return env.Option(&kind.Action{Options: flowLogsOptions}, key)
}

// flowLogsSnapshot is the VPC's flow logs before the change.
type flowLogsSnapshot struct {
	VPCID    string   `json:"vpc_id"`
	FlowLogs []string `json:"flow_logs"`
}

// capturesRejects reports whether a flow log records rejected traffic,
// what FSBP EC2.6 checks.
func capturesRejects(fl ec2types.FlowLog) bool {
	return fl.TrafficType == ec2types.TrafficTypeAll || fl.TrafficType == ec2types.TrafficTypeReject
}

func snapshotFlowLogs(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramID(createFlowLogsAction, "vpc_id", ref, params)
	if err != nil {
		return nil, err
	}
	logs, err := vpcFlowLogs(ctx, env.AWS.EC2(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	snap := flowLogsSnapshot{VPCID: id, FlowLogs: []string{}}
	for _, fl := range logs {
		snap.FlowLogs = append(snap.FlowLogs, aws.ToString(fl.FlowLogId))
	}
	return snap, nil
}

// flowLogsDestination is the configured S3 destination for ref,
// placeholders replaced; only S3 is supported, since CloudWatch Logs
// would need an IAM role for delivery that rectify does not manage.
func flowLogsDestination(env kind.Env, ref resource.Ref) (string, error) {
	dest := strings.NewReplacer("{account}", ref.Account, "{region}", ref.Region).Replace(flowLogsOption(env, FlowLogsDestinationOption))
	switch {
	case dest == "":
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: remediation.%s is not set", createFlowLogsAction, ref.ID, FlowLogsDestinationOption)
	case !strings.HasPrefix(dest, "arn:") || !strings.Contains(dest, ":s3:::") || len(dest) <= strings.Index(dest, ":s3:::")+len(":s3:::"):
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: remediation.%s = %q: want an S3 bucket ARN (arn:aws:s3:::bucket[/prefix])",
			createFlowLogsAction, ref.ID, FlowLogsDestinationOption, dest)
	}
	return dest, nil
}

func applyFlowLogs(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramID(createFlowLogsAction, "vpc_id", ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	dest, err := flowLogsDestination(env, ref)
	if err != nil {
		return kind.Applied{}, err
	}
	traffic := ec2types.TrafficType(strings.ToUpper(flowLogsOption(env, FlowLogsTrafficOption)))
	if traffic != ec2types.TrafficTypeReject && traffic != ec2types.TrafficTypeAll {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "%s on %s: remediation.%s = %q: want REJECT or ALL (ACCEPT alone does not satisfy EC2.6)",
			createFlowLogsAction, ref.ID, FlowLogsTrafficOption, traffic)
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	if _, ok, err := describeVPC(ctx, client, id); err != nil {
		return kind.Applied{}, err
	} else if !ok {
		return kind.Applied{Summary: fmt.Sprintf("VPC %s no longer exists", id)}, nil
	}
	// Checked first so a retry after a lost CreateFlowLogs answer finds
	// the flow log it made and does not make a second one.
	logs, err := vpcFlowLogs(ctx, client, id)
	if err != nil {
		return kind.Applied{}, err
	}
	if i := slices.IndexFunc(logs, capturesRejects); i >= 0 {
		return kind.Applied{Summary: fmt.Sprintf("VPC %s already has flow log %s", id, aws.ToString(logs[i].FlowLogId))}, nil
	}
	out, err := client.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceIds: []string{id}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: traffic,
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String(dest),
		LogFormat: aws.String(flowLogsOption(env, FlowLogsFormatOption)),
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeVpcFlowLog,
			Tags:         []ec2types.Tag{{Key: aws.String(createdByTag), Value: aws.String(createFlowLogsAction)}},
		}},
	})
	if err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "create flow log for VPC "+id, err)
	}
	// CreateFlowLogs answers 200 with the failures listed per resource.
	if len(out.Unsuccessful) > 0 {
		e := out.Unsuccessful[0].Error
		code, msg := "", ""
		if e != nil {
			code, msg = aws.ToString(e.Code), aws.ToString(e.Message)
		}
		return kind.Applied{}, awserr.Permanent(code, "create flow log for VPC %s into %s: %s", id, dest, msg)
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("VPC %s now logs %s traffic to %s (flow log %s)", id, traffic, dest, strings.Join(out.FlowLogIds, ", "))}, nil
}

// undoFlowLogs deletes the flow log the fix made: one tagged by rectify
// that was not there when the snapshot was taken.
func undoFlowLogs(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap flowLogsSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.VPCID == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", createFlowLogsAction, ref.ID, err)
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	logs, err := vpcFlowLogs(ctx, client, snap.VPCID)
	if err != nil {
		return err
	}
	var ids []string
	for _, fl := range logs {
		id := aws.ToString(fl.FlowLogId)
		if slices.Contains(snap.FlowLogs, id) {
			continue
		}
		if slices.ContainsFunc(fl.Tags, func(t ec2types.Tag) bool {
			return aws.ToString(t.Key) == createdByTag && aws.ToString(t.Value) == createFlowLogsAction
		}) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil // apply made none, or it is gone already
	}
	out, err := client.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: ids})
	if err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("delete flow logs %s of VPC %s", strings.Join(ids, ", "), snap.VPCID), err)
	}
	for _, u := range out.Unsuccessful {
		if u.Error != nil && aws.ToString(u.Error.Code) != "InvalidFlowLogId.NotFound" {
			return awserr.Permanent(aws.ToString(u.Error.Code), "delete flow log %s of VPC %s: %s", aws.ToString(u.ResourceId), snap.VPCID, aws.ToString(u.Error.Message))
		}
	}
	return nil
}
