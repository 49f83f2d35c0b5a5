package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
)

// benchRecords is the size of the trail the report must handle in under
// 2 s: 10,000 records of violations with every outcome over 30 days in
// three accounts.
const benchRecords = 10_000

// BenchmarkReport times `rectify report` over a trail of 10,000 records in
// the fake cloud's S3, read through the SDK as the command reads it: list,
// one GET per record, build, and render in every format. The baseline in
// the same run is the read alone (list and GETs), the floor any report
// over S3 pays; the figure after it is what building and rendering add.
//
//	go test -run='^$' -bench=Report -benchtime=3x ./internal/report/
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	client, violations := seedTrail(b, benchRecords)
	rd := audit.Reader{S3: client, Bucket: "audit", Prefix: "rectify/audit/"}
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	opts := Options{Now: at, Since: at.AddDate(0, 0, -31)}

	var read, build, render, total time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		records, bad, err := rd.Read(ctx, opts.Since)
		if err != nil || len(records) != benchRecords || len(bad) != 0 {
			b.Fatalf("read %d records (%d unreadable): %v", len(records), len(bad), err)
		}
		t1 := time.Now()
		rep := Build(Input{Records: records, Source: Source{Trail: "s3://audit/rectify/audit/", Temporal: "ok"}}, opts)
		ev := BuildEvidence(Input{Records: records}, "EC2.13", opts)
		t2 := time.Now()
		for _, f := range Formats {
			if err := rep.Render(io.Discard, f); err != nil {
				b.Fatal(err)
			}
			if err := ev.Render(io.Discard, f); err != nil {
				b.Fatal(err)
			}
		}
		t3 := time.Now()
		read, build, render, total = read+t1.Sub(start), build+t2.Sub(t1), render+t3.Sub(t2), total+t3.Sub(start)
		if rep.Source.Violations != violations {
			b.Fatalf("%d violations, want %d", rep.Source.Violations, violations)
		}
	}
	n := time.Duration(b.N)
	ms := func(d time.Duration) float64 { return float64(d/n) / float64(time.Millisecond) }
	b.ReportMetric(ms(total), "ms/report")
	b.ReportMetric(ms(read), "ms/read")
	b.ReportMetric(float64(total)/float64(read), "x-read")
	verdict := "under"
	if total/n >= 2*time.Second {
		verdict = "NOT under"
	}
	fmt.Printf("report over %d audit records: %.0f ms (%s the 2 s target) = read %.0f ms (list + %d GETs through the SDK, the baseline) "+
		"+ build %.0f ms + render 5 formats of report and evidence %.0f ms; %.2fx the read alone\n",
		benchRecords, ms(total), verdict, ms(read), benchRecords, ms(build), ms(render), float64(total)/float64(read))
}

// seedTrail writes n records of violations with every outcome to a fake
// cloud's bucket through the SDK, as the worker would, and returns a
// client for it and how many violations the records tell of.
func seedTrail(b *testing.B, n int) (*s3.Client, int) {
	b.Helper()
	c := fakecloud.New(fakecloud.Options{})
	endpoint, err := c.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	if err := c.SeedBucket(fakecloud.DefaultAccount, fakecloud.BucketSeed{Name: "audit"}); err != nil {
		b.Fatal(err)
	}
	client := s3.NewFromConfig(aws.Config{
		Region: fakecloud.DefaultRegion, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	accounts := []string{"111111111111", "222222222222", "333333333333"}
	outcomes := []struct {
		mode  string
		steps []step
	}{
		{"enforce", fixed(40 * time.Second)},
		{"approve", approvedBy("alice", 3*time.Hour)},
		{"approve", []step{{state: contract.StateAwaitingApproval, after: time.Second}, {state: contract.StateRejected, after: time.Hour, actor: "bob", reason: "r"}}},
		{"enforce", append(fixed(90*time.Second), step{state: contract.StateUndone, after: time.Hour, actor: "bob",
			ex: &audit.Exemption{Source: audit.ExemptByUndo, Reason: "r", Owner: "bob", Until: "2026-04-20T00:00:00Z"}})},
		{"approve", []step{{state: contract.StateAwaitingApproval, after: time.Second}, {state: contract.StateExpired, after: 24 * time.Hour, actor: audit.ActorTimeout}}},
	}
	var records []audit.Record
	violations := 0
	for v := 0; len(records) < n; v++ {
		// Spread over the 30 days before end, a violation every 4 minutes.
		at := end.Add(-time.Duration(v%(30*24*15)+1) * 4 * time.Minute).Add(-24 * time.Hour)
		o := outcomes[v%len(outcomes)]
		policy := sgPol
		if o.mode == "approve" {
			policy = s3Pol
		}
		records = append(records, story(fmt.Sprint("b", v), policy, accounts[v%len(accounts)], o.mode, at, time.Minute, o.steps...)...)
		violations++
	}
	keys := make(chan audit.Record)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 32 {
		wg.Go(func() {
			for r := range keys {
				body, err := r.Marshal()
				if err == nil {
					_, err = client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("audit"), Key: aws.String(r.Key("rectify/audit/")), Body: bytes.NewReader(body)})
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for _, r := range records[:n] {
		keys <- r
	}
	close(keys)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return client, violations
}
