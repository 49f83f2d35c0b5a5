package cloudwatch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// fetchMonitoring reads the region's setting. It always exists.
func fetchMonitoring(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	s, err := readState(ctx, env, ref.Account, ref.Region)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return MonitoringResource(ref.Account, ref.Region, s), true, nil
}

// readState reads the trails the region sees, the metric filters on their
// log groups, and the alarms on those filters' metrics.
func readState(ctx context.Context, env kind.Env, account, region string) (State, error) {
	trails, err := readTrails(ctx, env.AWS.CloudTrail(account, region), account, region)
	if err != nil {
		return State{}, err
	}
	s := State{Trails: trails}
	subs := subscribers{env: env, account: account, known: map[string]*bool{}}
	seen := map[string]bool{}
	for _, t := range trails {
		key := t.LogGroupRegion + "/" + t.LogGroup
		if seen[key] {
			continue // two trails into one log group: its filters once
		}
		seen[key] = true
		fs, err := readFilters(ctx, env, account, t.LogGroupRegion, t.LogGroup, &subs)
		if err != nil {
			return State{}, err
		}
		s.Filters = append(s.Filters, fs...)
	}
	return s, nil
}

// readTrails lists the multi-region trails the region sees that are
// logging into a CloudWatch Logs log group, by name. Single-region trails
// do not count: CIS asks for the trail that sees every region.
func readTrails(ctx context.Context, client *cloudtrail.Client, account, region string) ([]Trail, error) {
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return nil, awserr.Wrap(ctx, fmt.Sprintf("describe trails in %s/%s", account, region), err)
	}
	var trails []Trail
	for _, t := range out.TrailList {
		group, groupRegion, ok := logGroupOf(aws.ToString(t.CloudWatchLogsLogGroupArn))
		if !aws.ToBool(t.IsMultiRegionTrail) || !ok {
			continue
		}
		name := aws.ToString(t.Name)
		// The ARN: a shadow trail's status is asked by ARN only.
		status, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(cmp.Or(aws.ToString(t.TrailARN), name))})
		if awserr.Code(err) == "TrailNotFoundException" {
			continue // deleted in between
		}
		if err != nil {
			return nil, awserr.Wrap(ctx, fmt.Sprintf("get status of trail %s in %s/%s", name, account, region), err)
		}
		if !aws.ToBool(status.IsLogging) {
			continue
		}
		trails = append(trails, Trail{Name: name, LogGroup: group, LogGroupRegion: groupRegion})
	}
	slices.SortFunc(trails, func(a, b Trail) int { return strings.Compare(a.Name, b.Name) })
	return trails, nil
}

// readFilters lists every metric filter of one log group, with the alarms
// on each metric it publishes.
func readFilters(ctx context.Context, env kind.Env, account, region, group string, subs *subscribers) ([]Filter, error) {
	logs := env.AWS.CloudWatchLogs(account, region)
	alarms := env.AWS.CloudWatch(account, region)
	var out []Filter
	pages := cloudwatchlogs.NewDescribeMetricFiltersPaginator(logs, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if awserr.Code(err) == "ResourceNotFoundException" {
			return out, nil // the log group is gone: no filters
		}
		if err != nil {
			return nil, awserr.Wrap(ctx, fmt.Sprintf("describe metric filters of log group %s in %s/%s", group, account, region), err)
		}
		for _, mf := range page.MetricFilters {
			f := Filter{Name: aws.ToString(mf.FilterName), LogGroup: group, Pattern: aws.ToString(mf.FilterPattern)}
			for _, t := range mf.MetricTransformations {
				f.Metric, f.Namespace = aws.ToString(t.MetricName), aws.ToString(t.MetricNamespace)
				as, err := alarmsOn(ctx, alarms, f.Metric, f.Namespace, subs, account, region)
				if err != nil {
					return nil, err
				}
				f.Alarms = append(f.Alarms, as...)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// alarmsOn lists the alarms on one metric and whether each notifies
// someone.
func alarmsOn(ctx context.Context, client *cw.Client, metric, namespace string, subs *subscribers, account, region string) ([]Alarm, error) {
	if metric == "" || namespace == "" {
		return nil, nil
	}
	out, err := client.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{MetricName: aws.String(metric), Namespace: aws.String(namespace)})
	if err != nil {
		return nil, awserr.Wrap(ctx, fmt.Sprintf("describe alarms for metric %s/%s in %s/%s", namespace, metric, account, region), err)
	}
	var as []Alarm
	for _, a := range out.MetricAlarms {
		notifies, err := anyNotifies(ctx, a.AlarmActions, subs)
		if err != nil {
			return nil, err
		}
		as = append(as, Alarm{Name: aws.ToString(a.AlarmName), Notifies: notifies})
	}
	return as, nil
}

// anyNotifies says whether one of an alarm's actions is a topic someone
// subscribes to: yes as soon as one is; unknown when none is and one
// could not be told; no otherwise (no SNS action at all included).
func anyNotifies(ctx context.Context, actions []string, subs *subscribers) (*bool, error) {
	unknown := false
	for _, action := range actions {
		if !isTopic(action) {
			continue
		}
		n, err := subs.notifies(ctx, action)
		switch {
		case err != nil:
			return nil, err
		case n == nil:
			unknown = true
		case *n:
			return aws.Bool(true), nil
		}
	}
	if unknown {
		return nil, nil
	}
	return aws.Bool(false), nil
}

func isTopic(arn string) bool {
	a, ok := kind.ParseARN(arn)
	return ok && a.Service == "sns"
}

// subscribers asks SNS once per topic whether it has a confirmed
// subscriber; nil when SNS would not say (a topic of another account,
// access refused).
type subscribers struct {
	env     kind.Env
	account string
	known   map[string]*bool
}

func (s *subscribers) notifies(ctx context.Context, topic string) (*bool, error) {
	if v, ok := s.known[topic]; ok {
		return v, nil
	}
	a, _ := kind.ParseARN(topic)
	client := s.env.AWS.SNS(s.account, a.Region)
	found := false
	pages := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for pages.HasMorePages() && !found {
		page, err := pages.NextPage(ctx)
		switch code := awserr.Code(err); {
		case code == "NotFound" || code == "NotFoundException":
			s.known[topic] = &found // no topic: nobody hears
			return &found, nil
		case code == "AuthorizationError" || code == "AccessDenied" || code == "AccessDeniedException":
			s.known[topic] = nil
			return nil, nil
		case err != nil:
			return nil, awserr.Wrap(ctx, "list subscriptions of topic "+topic, err)
		}
		for _, sub := range page.Subscriptions {
			// An unconfirmed subscription's ARN is "PendingConfirmation":
			// nobody receives anything yet.
			if arn := aws.ToString(sub.SubscriptionArn); strings.HasPrefix(arn, "arn:") {
				found = true
				break
			}
		}
	}
	s.known[topic] = &found
	return &found, nil
}
