package fakecloud

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// startCloud starts a fake cloud on loopback for one test and returns it
// with an SDK config for the default admin user.
func startCloud(t *testing.T) (*Cloud, aws.Config) {
	t.Helper()
	c := New(Options{})
	url, err := c.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, sdkConfig(url, DefaultAccessKeyID, DefaultSecretAccessKey, "")
}

// sdkConfig is an SDK config that reaches the fake cloud with the given
// credentials, the way production code reaches AWS through BaseEndpoint.
func sdkConfig(url, key, secret, token string) aws.Config {
	return aws.Config{
		Region:       DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		BaseEndpoint: aws.String(url),
	}
}

// eventTap collects the CloudTrail events a cloud writes.
type eventTap struct {
	mu     sync.Mutex
	events []map[string]any
}

func tapEvents(c *Cloud) *eventTap {
	t := &eventTap{}
	c.OnEvent(func(b []byte) {
		var ev map[string]any
		if err := json.Unmarshal(b, &ev); err != nil {
			panic(err) // the cloud wrote invalid JSON: a bug in the emitter
		}
		t.mu.Lock()
		t.events = append(t.events, ev)
		t.mu.Unlock()
	})
	return t
}

// last returns the detail of the last event with the given eventName.
func (t *eventTap) last(tb testing.TB, eventName string) map[string]any {
	tb.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.events) - 1; i >= 0; i-- {
		d, _ := t.events[i]["detail"].(map[string]any)
		if d["eventName"] == eventName {
			return d
		}
	}
	tb.Fatalf("no CloudTrail event %s among %d events", eventName, len(t.events))
	return nil
}
