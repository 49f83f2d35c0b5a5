package fakecloud

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// TestCloudTrailLogGroupDelivery: a trail delivers to CloudWatch Logs only
// into an existing log group of its account and region, named by the ARN
// form ending in ":*"; DescribeTrails reports it, and empty values turn
// delivery off. A seeded trail carries a log group too.
func TestCloudTrailLogGroupDelivery(t *testing.T) {
	c, _, client, _ := newCloudTrail(t)
	ctx := t.Context()
	group, err := c.SeedLogGroup(DefaultAccount, LogGroupSeed{Name: "CloudTrail/main"})
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + DefaultAccount + ":role/CloudTrailToLogs"
	if _, err := client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, group, role, code string
	}{
		{"missing log group", logGroupARN(DefaultRegion, DefaultAccount, "nope") + ":*", role, "InvalidCloudWatchLogsLogGroupArnException"},
		{"without :*", logGroupARN(DefaultRegion, DefaultAccount, "CloudTrail/main"), role, "InvalidCloudWatchLogsLogGroupArnException"},
		{"another region", logGroupARN("eu-west-1", DefaultAccount, "CloudTrail/main") + ":*", role, "InvalidCloudWatchLogsLogGroupArnException"},
		{"not a role", group, "arn:aws:iam::" + DefaultAccount + ":user/me", "InvalidCloudWatchLogsRoleArnException"},
		{"valid", group, role, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(tc.group), CloudWatchLogsRoleArn: aws.String(tc.role)})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantEC2Error(t, err, tc.code)
		})
	}
	logGroupOf := func(name string) string {
		t.Helper()
		out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{name}})
		if err != nil || len(out.TrailList) != 1 {
			t.Fatalf("DescribeTrails %s: %v, %v", name, out, err)
		}
		return aws.ToString(out.TrailList[0].CloudWatchLogsLogGroupArn)
	}
	if got := logGroupOf("main"); got != group {
		t.Errorf("CloudWatchLogsLogGroupArn = %q, want %q", got, group)
	}
	if _, err := client.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	if got := logGroupOf("main"); got != "" {
		t.Errorf("after turning delivery off: %q", got)
	}

	if err := c.SeedTrail(DefaultAccount, TrailSeed{Name: "seeded", Bucket: "trail-logs", MultiRegion: true, Logging: true, LogGroupARN: group, LogRoleARN: role}); err != nil {
		t.Fatal(err)
	}
	if got := logGroupOf("seeded"); got != group {
		t.Errorf("seeded trail's log group = %q, want %q", got, group)
	}
}
