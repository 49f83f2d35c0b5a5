package devstack

import (
	"context"
	"slices"
	"testing"
	"time"

	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
)

// userFile is what a person's -c FILE holds: modes, defaults, approvers,
// exemptions, and fields the local stack must not take (a real endpoint,
// a real queue).
func userFile() config.Config {
	c := config.Default()
	c.AWS.Endpoint = "https://ec2.example.invalid"
	c.AWS.Region = "eu-west-1"
	c.Queue.URL = "https://sqs.eu-west-1.amazonaws.com/111111111111/prod-events"
	c.Temporal.Address = "temporal.prod.internal:7233"
	c.Policies = map[string]config.PolicySettings{PolicySGAdminPorts: {Mode: contract.ModeNotify}}
	c.Defaults.WatchWindow = config.Duration(2 * time.Hour)
	c.Approvers = []string{"U0SECOPS"}
	c.Exemptions = []exempt.Rule{{ARN: "arn:aws:s3:::" + DemoBucket + "*", Policies: []string{PolicyS3PAB},
		Reason: "static website", Owner: "web-team", Expires: time.Now().Add(48 * time.Hour).UTC().Format(time.DateOnly)}}
	return c
}

func TestLayerKeepsTheStackAndTakesTheFile(t *testing.T) {
	dev := AppConfig("rectify", "http://127.0.0.1:4566", "http://127.0.0.1:4566/"+Account+"/"+EventQueue)
	dev.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove}}
	got := Layer(userFile(), dev)
	switch {
	case got.AWS.Endpoint != dev.AWS.Endpoint || got.AWS.Region != dev.AWS.Region || got.Queue != dev.Queue || got.Temporal != dev.Temporal:
		t.Errorf("the stack's endpoint, region, queue or Temporal were replaced: %+v", got)
	case got.Policies[PolicySGAdminPorts].Mode != contract.ModeNotify || got.Policies[PolicyS3PAB].Mode != contract.ModeApprove:
		t.Errorf("policies = %+v, want the file's notify beside the demo's approve", got.Policies)
	case time.Duration(got.Defaults.WatchWindow) != 2*time.Hour:
		t.Errorf("defaults not taken: %+v", got.Defaults)
	case !slices.Contains(got.Approvers, "U0SECOPS") || !slices.Contains(got.Approvers, HumanUser):
		t.Errorf("approvers = %v, want the file's and the stack's", got.Approvers)
	case len(got.Exemptions) != 1 || got.Audit.Bucket != AuditBucket || len(got.Stages) == 0:
		t.Errorf("exemptions %v, audit %+v, stages %v", got.Exemptions, got.Audit, got.Stages)
	}
}

// The file's modes and exemptions hold on a running stack: its notify mode
// keeps SSH open with a Notified violation, its exemption suppresses the
// bucket's.
func TestLayeredConfigIsHonoured(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		user := userFile()
		user.Exemptions[0].ARN = "arn:aws:s3:::" + DemoBucket + "*"
		*c = Layer(user, *c)
	})
	s.openSSH(ctx)
	s.removePAB(ctx)
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateNotified)
	s.waitState(contract.RemediationID(PolicyS3PAB, s.bucket.ARN), contract.StateSuppressed)
	if !s.sshOpen(ctx) || s.pabComplete(ctx) {
		t.Error("a layered notify or exemption was not honoured: the stack changed the cloud")
	}
	if f := s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusSuppressed); f.Note == nil {
		t.Error("suppressed finding has no note naming the exemption")
	}
}
