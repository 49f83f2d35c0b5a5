package live

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

func TestTrail(t *testing.T) {
	const arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"
	trail := cttypes.Trail{Name: aws.String("main"), HomeRegion: aws.String("eu-west-1"), TrailARN: aws.String(arn), IsMultiRegionTrail: aws.Bool(true)}
	tests := []struct {
		name      string
		state     TrailState
		wantProps map[string]any
		wantTags  map[string]string
	}{
		{"logging", TrailState{Trail: trail, IsLogging: aws.Bool(true), Tags: map[string]string{"team": "sec"}},
			map[string]any{"name": "main", "logging": true, "is_multi_region_trail": true}, map[string]string{"team": "sec"}},
		{"stopped", TrailState{Trail: trail, IsLogging: aws.Bool(false)},
			map[string]any{"name": "main", "logging": false, "is_multi_region_trail": true}, map[string]string{}},
		{"status unknown", TrailState{Trail: cttypes.Trail{Name: aws.String("main"), HomeRegion: aws.String("eu-west-1")}},
			map[string]any{"name": "main"}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Trail("123456789012", tt.state)
			// Without a TrailARN the ARN is built in the home region.
			if got.Type != resource.TypeCloudTrail || got.ARN != arn || got.ID != "main" || got.Name != "main" ||
				got.Account != "123456789012" || got.Region != "eu-west-1" || got.Plane != resource.PlaneLive {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.Properties, tt.wantProps) {
				t.Errorf("properties = %#v, want %#v", got.Properties, tt.wantProps)
			}
			if !reflect.DeepEqual(got.Tags, tt.wantTags) {
				t.Errorf("tags = %v, want %v", got.Tags, tt.wantTags)
			}
		})
	}
}
