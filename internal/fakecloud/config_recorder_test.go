package fakecloud

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// TestConfigRecorderLifecycle: the real Config client creates a recorder,
// is refused a start without a delivery channel, adds a channel, starts,
// stops and deletes, over JSON 1.1; each change is a CloudTrail event, and
// AWS's constraints (one recorder and one channel per region, no channel
// without a recorder, no deleting the channel of a running recorder) come
// back as Config's typed errors.
func TestConfigRecorderLifecycle(t *testing.T) {
	c, cfg := startCloud(t)
	client := configservice.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	name := aws.String("default")

	recs, err := client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 0 {
		t.Fatalf("a new account's recorders = %+v, %v", recs, err)
	}
	var noRecorder *types.NoAvailableConfigurationRecorderException
	if _, err := client.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{
		DeliveryChannel: &types.DeliveryChannel{Name: name, S3BucketName: aws.String("cfg")},
	}); !errors.As(err, &noRecorder) {
		t.Fatalf("PutDeliveryChannel without a recorder: %v", err)
	}
	role := "arn:aws:iam::" + DefaultAccount + ":role/config"
	if _, err := client.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &types.ConfigurationRecorder{
		Name: name, RoleARN: aws.String(role), RecordingGroup: &types.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if rec := tap.last(t, "PutConfigurationRecorder"); rec["requestParameters"].(map[string]any)["configurationRecorder"].(map[string]any)["roleARN"] != role {
		t.Errorf("PutConfigurationRecorder record = %v", rec["requestParameters"])
	}
	var tooMany *types.MaxNumberOfConfigurationRecordersExceededException
	if _, err := client.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &types.ConfigurationRecorder{
		Name: aws.String("second"), RoleARN: aws.String(role),
	}}); !errors.As(err, &tooMany) {
		t.Fatalf("a second recorder: %v", err)
	}
	var noChannel *types.NoAvailableDeliveryChannelException
	if _, err := client.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: name}); !errors.As(err, &noChannel) {
		t.Fatalf("start without a channel: %v", err)
	}
	if _, err := client.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{
		DeliveryChannel: &types.DeliveryChannel{Name: name, S3BucketName: aws.String("cfg")},
	}); err != nil {
		t.Fatal(err)
	}
	chs, err := client.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil || len(chs.DeliveryChannels) != 1 || aws.ToString(chs.DeliveryChannels[0].S3BucketName) != "cfg" {
		t.Fatalf("channels = %+v, %v", chs, err)
	}
	recording := func() bool {
		t.Helper()
		st, err := client.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"default"}})
		if err != nil || len(st.ConfigurationRecordersStatus) != 1 {
			t.Fatalf("status = %+v, %v", st, err)
		}
		return st.ConfigurationRecordersStatus[0].Recording
	}
	if recording() {
		t.Fatal("a new recorder records before it is started")
	}
	if _, err := client.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: name}); err != nil {
		t.Fatal(err)
	}
	if !recording() {
		t.Fatal("not recording after start")
	}
	var running *types.LastDeliveryChannelDeleteFailedException
	if _, err := client.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: name}); !errors.As(err, &running) {
		t.Fatalf("deleting the channel of a running recorder: %v", err)
	}
	if _, err := client.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: name}); err != nil {
		t.Fatal(err)
	}
	stop := tap.last(t, "StopConfigurationRecorder")
	if stop["requestParameters"].(map[string]any)["configurationRecorderName"] != "default" {
		t.Errorf("StopConfigurationRecorder record = %v", stop["requestParameters"])
	}
	if recording() {
		t.Fatal("recording after stop")
	}
	if _, err := client.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: name}); err != nil {
		t.Fatal(err)
	}
	tap.last(t, "DeleteConfigurationRecorder")
	var missing *types.NoSuchConfigurationRecorderException
	if _, err := client.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: name}); !errors.As(err, &missing) {
		t.Fatalf("stop a deleted recorder: %v", err)
	}
}
