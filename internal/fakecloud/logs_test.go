package fakecloud

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

const rootUsagePattern = `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`

func cisFilter(group, name, metric string) *cloudwatchlogs.PutMetricFilterInput {
	return &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName:  aws.String(group),
		FilterName:    aws.String(name),
		FilterPattern: aws.String(rootUsagePattern),
		MetricTransformations: []types.MetricTransformation{{
			MetricName: aws.String(metric), MetricNamespace: aws.String("LogMetrics"), MetricValue: aws.String("1"),
		}},
	}
}

// TestCloudWatchLogsMetricFilters: the real CloudWatch Logs client creates
// log groups and puts, describes (by log group, name prefix and metric)
// and deletes metric filters; the changes are CloudTrail events of
// logs.amazonaws.com with AWS's requestParameters.
func TestCloudWatchLogsMetricFilters(t *testing.T) {
	c, cfg := startCloud(t)
	client := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)

	for _, g := range []string{"CloudTrail/logs", "app"} {
		if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	if rec := tap.last(t, "CreateLogGroup"); rec["eventSource"] != "logs.amazonaws.com" || rec["requestParameters"].(map[string]any)["logGroupName"] != "app" {
		t.Errorf("CreateLogGroup record = %v", rec)
	}
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second CreateLogGroup: %v, want ResourceAlreadyExistsException", err)
	}
	groups, err := client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("Cloud")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].Arn) != logGroupARN(DefaultRegion, DefaultAccount, "CloudTrail/logs")+":*" ||
		aws.ToString(groups.LogGroups[0].LogGroupArn) != logGroupARN(DefaultRegion, DefaultAccount, "CloudTrail/logs") {
		t.Errorf("DescribeLogGroups = %+v", groups.LogGroups)
	}

	var paged []string
	pager := cloudwatchlogs.NewDescribeLogGroupsPaginator(client, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.LogGroups {
			paged = append(paged, aws.ToString(g.LogGroupName))
		}
	}
	if want := []string{"CloudTrail/logs", "app"}; !slices.Equal(paged, want) {
		t.Errorf("DescribeLogGroups in pages of one = %v, want %v", paged, want)
	}

	trailGroup := "CloudTrail/logs"
	for _, in := range []*cloudwatchlogs.PutMetricFilterInput{
		cisFilter(trailGroup, "rectify-cis-cloudwatch-1", "RootAccountUsage"),
		cisFilter(trailGroup, "rectify-cis-cloudwatch-2", "UnauthorizedAPICalls"),
		cisFilter(trailGroup, "mine", "RootAccountUsage"),
		cisFilter("app", "errors", "AppErrors"),
	} {
		if _, err := client.PutMetricFilter(ctx, in); err != nil {
			t.Fatalf("PutMetricFilter %s: %v", aws.ToString(in.FilterName), err)
		}
	}
	put := tap.last(t, "PutMetricFilter")
	p := put["requestParameters"].(map[string]any)
	mt := p["metricTransformations"].([]any)[0].(map[string]any)
	if put["eventSource"] != "logs.amazonaws.com" || p["logGroupName"] != "app" || p["filterName"] != "errors" || p["filterPattern"] != rootUsagePattern ||
		mt["metricName"] != "AppErrors" || mt["metricNamespace"] != "LogMetrics" || mt["metricValue"] != "1" {
		t.Errorf("PutMetricFilter record = %v", put)
	}

	describe := func(in *cloudwatchlogs.DescribeMetricFiltersInput) []string {
		t.Helper()
		var got []string
		pager := cloudwatchlogs.NewDescribeMetricFiltersPaginator(client, in)
		for pager.HasMorePages() {
			out, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range out.MetricFilters {
				got = append(got, aws.ToString(f.LogGroupName)+"|"+aws.ToString(f.FilterName))
			}
		}
		return got
	}
	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.DescribeMetricFiltersInput
		want []string
	}{
		{"region", cloudwatchlogs.DescribeMetricFiltersInput{},
			[]string{"CloudTrail/logs|mine", "CloudTrail/logs|rectify-cis-cloudwatch-1", "CloudTrail/logs|rectify-cis-cloudwatch-2", "app|errors"}},
		{"region in pages of one", cloudwatchlogs.DescribeMetricFiltersInput{Limit: aws.Int32(1)},
			[]string{"CloudTrail/logs|mine", "CloudTrail/logs|rectify-cis-cloudwatch-1", "CloudTrail/logs|rectify-cis-cloudwatch-2", "app|errors"}},
		{"log group", cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("app")}, []string{"app|errors"}},
		{"name prefix", cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(trailGroup), FilterNamePrefix: aws.String("rectify-cis-")},
			[]string{"CloudTrail/logs|rectify-cis-cloudwatch-1", "CloudTrail/logs|rectify-cis-cloudwatch-2"}},
		{"metric", cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("RootAccountUsage"), MetricNamespace: aws.String("LogMetrics")},
			[]string{"CloudTrail/logs|mine", "CloudTrail/logs|rectify-cis-cloudwatch-1"}},
		{"metric of another namespace", cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("RootAccountUsage"), MetricNamespace: aws.String("CISBenchmark")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describe(&tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("DescribeMetricFilters = %v, want %v", got, tc.want)
			}
		})
	}

	// The filter reads back as it was put.
	out, err := client.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(trailGroup), FilterNamePrefix: aws.String("rectify-cis-cloudwatch-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 1 {
		t.Fatalf("%d filters", len(out.MetricFilters))
	}
	f := out.MetricFilters[0]
	if aws.ToString(f.FilterPattern) != rootUsagePattern || aws.ToInt64(f.CreationTime) == 0 || len(f.MetricTransformations) != 1 ||
		aws.ToString(f.MetricTransformations[0].MetricName) != "RootAccountUsage" || aws.ToString(f.MetricTransformations[0].MetricValue) != "1" {
		t.Errorf("filter = %+v", f)
	}

	// Put again replaces the pattern.
	replaced := cisFilter(trailGroup, "mine", "RootAccountUsage")
	replaced.FilterPattern = aws.String(`{$.userIdentity.type="Root"}`)
	if _, err := client.PutMetricFilter(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	if got := c.MetricFilters(DefaultAccount, DefaultRegion, trailGroup); len(got) != 3 || got[0].Pattern != `{$.userIdentity.type="Root"}` {
		t.Errorf("after replace: %+v", got)
	}

	if _, err := client.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(trailGroup), FilterName: aws.String("mine")}); err != nil {
		t.Fatal(err)
	}
	if p := tap.last(t, "DeleteMetricFilter")["requestParameters"].(map[string]any); p["logGroupName"] != trailGroup || p["filterName"] != "mine" {
		t.Errorf("DeleteMetricFilter requestParameters = %v", p)
	}
	_, err = client.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(trailGroup), FilterName: aws.String("mine")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("deleting it again: %v, want ResourceNotFoundException", err)
	}
	if rec := tap.last(t, "DeleteMetricFilter"); rec["errorCode"] != "ResourceNotFoundException" {
		t.Errorf("failed DeleteMetricFilter: errorCode %v", rec["errorCode"])
	}

	// Deleting the log group takes its filters with it.
	if _, err := client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(trailGroup)}); err != nil {
		t.Fatal(err)
	}
	if got := describe(&cloudwatchlogs.DescribeMetricFiltersInput{}); !slices.Equal(got, []string{"app|errors"}) {
		t.Errorf("after DeleteLogGroup: %v", got)
	}
}

// TestCloudWatchLogsMetricFilterErrors: filters that CloudWatch Logs
// refuses are refused with its typed errors, and recorded.
func TestCloudWatchLogsMetricFilterErrors(t *testing.T) {
	c, cfg := startCloud(t)
	client := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	if _, err := c.SeedLogGroup(DefaultAccount, LogGroupSeed{Name: "trail"}); err != nil {
		t.Fatal(err)
	}

	var nf *types.ResourceNotFoundException
	var invalid *types.InvalidParameterException
	for _, tc := range []struct {
		name   string
		change func(*cloudwatchlogs.PutMetricFilterInput)
		want   any
	}{
		{"no such log group", func(in *cloudwatchlogs.PutMetricFilterInput) { in.LogGroupName = aws.String("nope") }, &nf},
		{"unbalanced pattern", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterPattern = aws.String(`{($.eventName=X}`) }, &invalid},
		{"colon in name", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterName = aws.String("a:b") }, &invalid},
		{"two transformations", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations = append(in.MetricTransformations, in.MetricTransformations[0])
		}, &invalid},
		{"dimensions and default", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].Dimensions = map[string]string{"user": "$.userIdentity.arn"}
			in.MetricTransformations[0].DefaultValue = aws.Float64(0)
		}, &invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := cisFilter("trail", "f", "M")
			tc.change(in)
			_, err := client.PutMetricFilter(ctx, in)
			if !errors.As(err, tc.want) {
				t.Fatalf("PutMetricFilter: %v, want %T", err, tc.want)
			}
			if rec := tap.last(t, "PutMetricFilter"); rec["errorCode"] == nil {
				t.Errorf("refused put recorded without errorCode: %v", rec)
			}
		})
	}
	if got := c.MetricFilters(DefaultAccount, DefaultRegion, "trail"); len(got) != 0 {
		t.Errorf("refused puts made filters: %+v", got)
	}

	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.DescribeMetricFiltersInput
		want any
	}{
		{"prefix without group", cloudwatchlogs.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("r")}, &invalid},
		{"metric without namespace", cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("M")}, &invalid},
		{"no such log group", cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("nope")}, &nf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := client.DescribeMetricFilters(ctx, &tc.in); !errors.As(err, tc.want) {
				t.Errorf("DescribeMetricFilters: %v, want %T", err, tc.want)
			}
		})
	}
}
