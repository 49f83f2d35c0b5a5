package fakecloud

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func newCloudTrail(t *testing.T) (*Cloud, aws.Config, *cloudtrail.Client, *eventTap) {
	t.Helper()
	c, cfg := startCloud(t)
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	return c, cfg, cloudtrail.NewFromConfig(cfg), tapEvents(c)
}

func TestCloudTrailTrailLifecycle(t *testing.T) {
	_, cfg, client, tap := newCloudTrail(t)
	ctx := t.Context()
	arn := trailARN(DefaultAccount, DefaultRegion, "main")

	created := okEC2(client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("main"), S3BucketName: aws.String("trail-logs"), IsMultiRegionTrail: aws.Bool(true),
		TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}},
	}))(t)
	if aws.ToString(created.TrailARN) != arn || !aws.ToBool(created.IsMultiRegionTrail) || !aws.ToBool(created.IncludeGlobalServiceEvents) {
		t.Fatalf("created: %+v", created)
	}
	ev := tap.last(t, "CreateTrail")
	if ev["eventSource"] != "cloudtrail.amazonaws.com" || ev["responseElements"].(map[string]any)["trailARN"] != arn ||
		ev["requestParameters"].(map[string]any)["isMultiRegionTrail"] != true {
		t.Fatalf("CreateTrail event: %v", ev)
	}

	// A new trail does not log until StartLogging.
	if st := okEC2(client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))(t); aws.ToBool(st.IsLogging) {
		t.Fatal("a new trail logs")
	}
	okEC2(client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}))(t)
	st := okEC2(client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)}))(t)
	if !aws.ToBool(st.IsLogging) || st.StartLoggingTime == nil {
		t.Fatalf("after start: %+v", st)
	}
	okEC2(client.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}))(t)
	st = okEC2(client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))(t)
	if aws.ToBool(st.IsLogging) || st.StopLoggingTime == nil {
		t.Fatalf("after stop: %+v", st)
	}
	if ev := tap.last(t, "StopLogging"); !reflect.DeepEqual(ev["requestParameters"], map[string]any{"name": "main"}) || ev["responseElements"] != nil {
		t.Errorf("StopLogging event: %v", ev)
	}
	if ev := tap.last(t, "StartLogging"); ev["requestParameters"].(map[string]any)["name"] != arn {
		t.Errorf("StartLogging event: %v", ev["requestParameters"])
	}

	// The multi-region trail is a shadow elsewhere: listed unless
	// includeShadowTrails is false, readable, but changed only at home.
	west := cfg.Copy()
	west.Region = "eu-west-1"
	wc := cloudtrail.NewFromConfig(west)
	for _, tt := range []struct {
		shadows *bool
		want    int
	}{{nil, 1}, {aws.Bool(true), 1}, {aws.Bool(false), 0}} {
		out := okEC2(wc.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: tt.shadows}))(t)
		if len(out.TrailList) != tt.want {
			t.Errorf("eu-west-1 includeShadowTrails=%v: %d trails, want %d", aws.ToBool(tt.shadows), len(out.TrailList), tt.want)
		}
	}
	okEC2(wc.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)}))(t)
	_, err := wc.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)})
	wantEC2Error(t, err, "InvalidHomeRegionException")

	home := okEC2(client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main"}, IncludeShadowTrails: aws.Bool(false)}))(t)
	if len(home.TrailList) != 1 || aws.ToString(home.TrailList[0].HomeRegion) != DefaultRegion || aws.ToString(home.TrailList[0].S3BucketName) != "trail-logs" {
		t.Fatalf("describe at home: %+v", home.TrailList)
	}

	// UpdateTrail, tags, delete.
	up := okEC2(client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), IsMultiRegionTrail: aws.Bool(false), EnableLogFileValidation: aws.Bool(true)}))(t)
	if aws.ToBool(up.IsMultiRegionTrail) || !aws.ToBool(up.LogFileValidationEnabled) {
		t.Fatalf("updated: %+v", up)
	}
	if out := okEC2(wc.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))(t); len(out.TrailList) != 0 {
		t.Errorf("a single-region trail still shows in eu-west-1")
	}
	okEC2(client.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	okEC2(client.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("team")}}}))(t)
	tags := okEC2(client.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}}))(t)
	if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || aws.ToString(tags.ResourceTagList[0].TagsList[0].Key) != "env" {
		t.Fatalf("tags: %+v", tags.ResourceTagList)
	}
	if ev := tap.last(t, "AddTags"); ev["requestParameters"].(map[string]any)["resourceId"] != arn {
		t.Errorf("AddTags event: %v", ev)
	}
	okEC2(client.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(arn)}))(t)
	_, err = client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	wantEC2Error(t, err, "TrailNotFoundException")
	if ev := tap.last(t, "DeleteTrail"); ev["requestParameters"].(map[string]any)["name"] != arn {
		t.Errorf("DeleteTrail event: %v", ev)
	}
}

func TestCloudTrailErrors(t *testing.T) {
	c, _, client, tap := newCloudTrail(t)
	ctx := t.Context()
	if err := c.SeedTrail(DefaultAccount, TrailSeed{Name: "seeded", Bucket: "trail-logs", Logging: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"create with a missing bucket", func() error {
			_, err := client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("x-trail"), S3BucketName: aws.String("no-such-bucket")})
			return err
		}, "S3BucketDoesNotExistException"},
		{"create a taken name", func() error {
			_, err := client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("seeded"), S3BucketName: aws.String("trail-logs")})
			return err
		}, "TrailAlreadyExistsException"},
		{"create a bad name", func() error {
			_, err := client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("-x"), S3BucketName: aws.String("trail-logs")})
			return err
		}, "InvalidTrailNameException"},
		{"stop an unknown trail", func() error {
			_, err := client.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("ghost")})
			return err
		}, "TrailNotFoundException"},
		{"status of a bad ARN", func() error {
			_, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("arn:aws:cloudtrail:bad")})
			return err
		}, "CloudTrailARNInvalidException"},
		{"tag an unknown trail", func() error {
			_, err := client.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN(DefaultAccount, DefaultRegion, "ghost")), TagsList: []cttypes.Tag{{Key: aws.String("k")}}})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantEC2Error(t, tt.call(), tt.code) })
	}
	if ev := tap.last(t, "StopLogging"); ev["errorCode"] != "TrailNotFoundException" || ev["requestParameters"].(map[string]any)["name"] != "ghost" {
		t.Errorf("failed StopLogging event: %v", ev)
	}
}

// TestCloudTrailStoppedTrailBlindsEventBridge: with every trail stopped,
// calls reach no queue, except the StopLogging that stopped them.
func TestCloudTrailStoppedTrailBlindsEventBridge(t *testing.T) {
	c, cfg, client, _ := newCloudTrail(t)
	ctx := t.Context()
	q := sqs.NewFromConfig(cfg)
	out := okEC2(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")}))(t)
	c.SetEventQueue(aws.ToString(out.QueueUrl), nil)
	if err := c.SeedTrail(DefaultAccount, TrailSeed{Name: "only", Bucket: "trail-logs", Logging: true}); err != nil {
		t.Fatal(err)
	}
	received := func() []string {
		t.Helper()
		var names []string
		for {
			msgs := okEC2(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: out.QueueUrl, MaxNumberOfMessages: 10}))(t)
			if len(msgs.Messages) == 0 {
				return names
			}
			for _, m := range msgs.Messages {
				var ev struct{ Detail struct{ EventName string } }
				_ = json.Unmarshal([]byte(aws.ToString(m.Body)), &ev)
				names = append(names, ev.Detail.EventName)
				okEC2(q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: out.QueueUrl, ReceiptHandle: m.ReceiptHandle}))(t)
			}
		}
	}
	addTag := func() {
		okEC2(client.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN(DefaultAccount, DefaultRegion, "only")), TagsList: []cttypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	}
	addTag()
	okEC2(client.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("only")}))(t)
	addTag()
	okEC2(client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("only")}))(t)
	if got, want := received(), []string{"AddTags", "StopLogging", "StartLogging"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}
