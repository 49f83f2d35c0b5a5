// Package configservice holds rectify's knowledge of AWS Config: whether a
// region records its resources (FSBP Config.1), read live, named by its
// CloudTrail calls, and the action that starts recording.
package configservice

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeRecorder is the Terraform type of a Config configuration recorder.
const TypeRecorder = "aws_config_configuration_recorder"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Recorder}

const source = "config.amazonaws.com"

// Recorder is AWS Config in one account and region, judged as a setting:
// Config allows one customer-managed configuration recorder per account
// and region, and what Config.1 asks is that the region has one and that
// it records. A region without a recorder is therefore a resource too
// (recording: false), which is why the kind is a setting named by its
// region, as GuardDuty's detector is. A sweep yields the one setting of its
// region. Exemptions are config entries only (a recorder carries no tags).
//
// Live plane only: Terraform declares a recorder and whether it is on in
// two resources (aws_config_configuration_recorder and
// aws_config_configuration_recorder_status, joined by name), and a plan
// that declares neither says nothing about a recorder made elsewhere; the
// absence that is the usual violation is visible live only.
//
// properties:
//
//	{"recording": bool,   // a recorder exists and records; absent when unknown
//	 "recorder": "…"}     // its name; absent when there is none
var Recorder = &kind.Kind{
	Type:     TypeRecorder,
	Noun:     "AWS Config recorder setting",
	ASFFType: "Other",
	Scope:    kind.ScopeRegion,
	ARN:      func(account, region, _ string) string { return RecorderSettingARN(account, region) },
	// rectify's setting ARN and a real recorder ARN
	// (configuration-recorder/<name>/<id>) both name the region's setting.
	ParseARN: func(a kind.ARN) (string, bool) {
		return a.Region, a.Service == "config" && a.Region != "" &&
			(a.Resource == "configuration-recorder" || strings.HasPrefix(a.Resource, "configuration-recorder/"))
	},
	Fetch:     fetchRecorder,
	Normalize: normalizeRecorder,
	Calls: []kind.Call{
		// DeleteConfigurationRecorder does not delete the setting: it
		// leaves the region unrecorded, which is the violation to judge.
		{Source: source, Names: []string{"PutConfigurationRecorder", "StartConfigurationRecorder", "StopConfigurationRecorder", "DeleteConfigurationRecorder"}},
	},
	Actions: []*kind.Action{StartRecorder},
	Permissions: kind.Permissions{Read: []string{
		"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
	}},
}

// RecorderSettingARN names the region's Config setting. A recorder has an
// ARN of its own, but the setting must be named when there is no recorder
// and keep its name when one is deleted and another made.
func RecorderSettingARN(account, region string) string {
	return "arn:aws:config:" + region + ":" + account + ":configuration-recorder"
}

// RecorderState is what the live plane reads: the region's recorder name
// (empty when there is none), whether it records, and its role.
type RecorderState struct {
	Name      string `json:"Name,omitempty"`
	RoleARN   string `json:"RoleARN,omitempty"`
	Recording *bool  `json:"Recording,omitempty"`
}

// readRecorder reads the region's customer-managed recorder; a zero state
// when there is none. Service-linked recorders (made by other AWS
// services for their own purposes) do not count: Config.1 asks about the
// account's own recording.
func readRecorder(ctx context.Context, client *configservice.Client, account, region string) (RecorderState, error) {
	out, err := client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		return RecorderState{}, awserr.Wrap(ctx, fmt.Sprintf("describe config recorders in %s/%s", account, region), err)
	}
	var s RecorderState
	for _, r := range out.ConfigurationRecorders {
		if r.ServicePrincipal != nil && *r.ServicePrincipal != "" {
			continue
		}
		if r.Name != nil {
			s.Name = *r.Name
		}
		if r.RoleARN != nil {
			s.RoleARN = *r.RoleARN
		}
		break
	}
	if s.Name == "" {
		return RecorderState{}, nil
	}
	st, err := client.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{
		ConfigurationRecorderNames: []string{s.Name},
	})
	if err != nil {
		return RecorderState{}, awserr.Wrap(ctx, fmt.Sprintf("describe status of config recorder %s in %s/%s", s.Name, account, region), err)
	}
	for _, r := range st.ConfigurationRecordersStatus {
		if r.Name != nil && *r.Name == s.Name {
			on := r.Recording
			s.Recording = &on
		}
	}
	return s, nil
}

// fetchRecorder reads the region's setting. It always exists.
func fetchRecorder(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	s, err := readRecorder(ctx, env.AWS.ConfigService(ref.Account, ref.Region), ref.Account, ref.Region)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return RecorderResource(ref.Account, ref.Region, s), true, nil
}

func normalizeRecorder(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s RecorderState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return RecorderResource(account, region, s), nil
}

// RecorderResource normalizes the region's recorder. No recorder is
// recording: false; a recorder whose status Config did not report leaves
// recording absent (unknown) rather than a false that would deny.
func RecorderResource(account, region string, s RecorderState) resource.Resource {
	props := map[string]any{}
	switch {
	case s.Name == "":
		props["recording"] = false
	case s.Recording != nil:
		props["recording"] = *s.Recording
	}
	if s.Name != "" {
		props["recorder"] = s.Name
	}
	return resource.Resource{
		Type: TypeRecorder, ARN: RecorderSettingARN(account, region), ID: region, Name: region,
		Account: account, Region: region, Tags: map[string]string{}, Plane: resource.PlaneLive, Properties: props,
	}
}
