package audit

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
)

// fakeBucket starts a fake cloud with one bucket and returns an SDK client.
func fakeBucket(t testing.TB, name string) *s3.Client {
	t.Helper()
	c := fakecloud.New(fakecloud.Options{})
	endpoint, err := c.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.SeedBucket(fakecloud.DefaultAccount, fakecloud.BucketSeed{Name: name}); err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(aws.Config{
		Region: fakecloud.DefaultRegion, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	}, func(o *s3.Options) { o.UsePathStyle = true })
}

// Read lists the days from since on through the SDK, returns the records
// in order, and reports what under the prefix is not a record.
func TestRead(t *testing.T) {
	ctx := context.Background()
	cl := fakeBucket(t, "trail")
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	day3 := day1.Add(48 * time.Hour)
	var want []Record
	for i, r := range []Record{
		sample(0, contract.StateNew, day1),
		sample(1, contract.StateRemediating, day1.Add(time.Second)),
		sample(2, contract.StateResolved, day3),
	} {
		r.ViolationID = "v1"
		if i == 2 {
			r.ViolationID = "v0" // sorts first
		}
		b, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		put(r.Key("audit/"), b)
		want = append(want, r)
	}
	put("audit/2026/03/03/123456789012/v9/junk.json", []byte("not a record"))
	put("elsewhere/2026/03/03/x.json", []byte("outside the prefix"))

	rd := Reader{S3: cl, Bucket: "trail", Prefix: "audit", Parallel: 2}
	got, bad, err := rd.Read(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ViolationID != "v0" || got[1].Seq != 0 || got[2].Seq != 1 {
		t.Errorf("Read = %+v, want v0's record then v1's in order", got)
	}
	if len(bad) != 1 || bad[0].Key != "audit/2026/03/03/123456789012/v9/junk.json" || !strings.Contains(bad[0].Err, "junk.json") {
		t.Errorf("unreadable = %+v, want the junk object named", bad)
	}

	// From the third day on: the first day is not even listed.
	got, _, err = rd.Read(ctx, day3.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].State != contract.StateResolved {
		t.Errorf("Read since day 3 = %+v, want the Resolved record only", got)
	}
	// Within a day, the time decides.
	got, _, _ = rd.Read(ctx, day1.Add(500*time.Millisecond))
	if len(got) != 2 {
		t.Errorf("Read since mid-day 1 = %d records, want 2", len(got))
	}

	if _, _, err := (Reader{S3: cl, Bucket: "missing", Prefix: "audit"}).Read(ctx, time.Time{}); err == nil || !strings.Contains(err.Error(), "s3://missing/audit/") {
		t.Errorf("Read of a missing bucket = %v, want an error naming it", err)
	}
}
