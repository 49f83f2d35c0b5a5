package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/devstack"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/localstack"
	"github.com/rectifyhq/rectify/internal/report"
)

// `rectify report` against what `rectify dev` leaves in its state
// directory: no configuration, the fake cloud's audit bucket, and a
// Temporal that is not there (the trail alone answers, and says so).
func TestReportReadsTheLocalStack(t *testing.T) {
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	if err := cloud.Apply(devstack.Seed("-r")); err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(aws.Config{Region: devstack.Region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(devstack.WorkerKeyID, devstack.WorkerSecret, "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	detected := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	arn := "arn:aws:ec2:us-east-1:" + devstack.Account + ":security-group/sg-1"
	for i, state := range []string{contract.StateNew, contract.StateRemediating, contract.StateResolved} {
		r := audit.Record{
			Schema: audit.Schema, ViolationID: "v1", Seq: i, State: state, Time: detected.Add(time.Duration(i) * 20 * time.Second),
			PolicyID: devstack.PolicySGAdminPorts, Mode: "enforce", Controls: []string{"CIS AWS 5.2", "AWS FSBP EC2.13"},
			Resource: audit.Resource{ARN: arn, Type: "aws_security_group"}, Account: devstack.Account, Region: devstack.Region,
			Change: contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", EventTime: detected.Add(-10 * time.Second)},
			Action: "ec2_revoke_ingress", WorkflowID: contract.RemediationID(devstack.PolicySGAdminPorts, arn), RunID: "v1", DetectedAt: detected,
			FindingID: "rectify/" + devstack.PolicySGAdminPorts + "/" + arn,
		}
		body, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(devstack.AuditBucket),
			Key: aws.String(r.Key("rectify/audit/")), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	if _, err := runRoot(t, "report", "--state-dir", dir); err == nil || !strings.Contains(err.Error(), "no audit trail to read") {
		t.Fatalf("report with no trail = %v, want it to say where to set one", err)
	}
	if err := localstack.Write(dir, localstack.Stack{
		Temporal: "127.0.0.1:1", Namespace: "default", Endpoint: endpoint, Region: devstack.Region,
		AuditBucket: devstack.AuditBucket, AuditPrefix: "rectify/audit/", AccessKeyID: devstack.AuditorKeyID, SecretAccessKey: devstack.AuditorSecret,
	}); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "report.json")
	start := time.Now()
	if _, err := runRoot(t, "report", "--state-dir", dir, "--format", "json", "--out", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Source.Records != 3 || rep.Source.Trail != "s3://rectify-audit/rectify/audit/" || !strings.HasPrefix(rep.Source.Temporal, "unreachable") {
		t.Errorf("source = %+v, want 3 records of the local trail and Temporal unreachable", rep.Source)
	}
	var ec2 *report.Row
	for i := range rep.Rows {
		if rep.Rows[i].Control == "AWS FSBP EC2.13" {
			ec2 = &rep.Rows[i]
		}
	}
	if ec2 == nil || ec2.Detected != 1 || ec2.FixedAutomatically != 1 || ec2.MTTRMean == nil || *ec2.MTTRMean != 40 || *ec2.ExposureMean != 50 {
		t.Errorf("EC2.13 row = %+v, want 1 fixed automatically in 40s, exposed 50s", ec2)
	}
	t.Logf("report with an unreachable Temporal took %v", time.Since(start))

	csvOut, err := runRoot(t, "report", "--state-dir", dir, "--evidence", "EC2.13", "--format", "csv", "--since", "7d")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil || len(lines) != 2 || lines[1][0] != "AWS FSBP EC2.13" || !strings.Contains(strings.Join(lines[1], ","), "AuthorizeSecurityGroupIngress") {
		t.Errorf("evidence CSV = %q (%v)", csvOut, err)
	}

	for _, tc := range []struct{ args []string }{
		{[]string{"report", "--format", "pdf"}},
		{[]string{"report", "--since", "soon"}},
	} {
		if _, err := runRoot(t, append(tc.args, "--state-dir", dir)...); err == nil || !strings.Contains(err.Error(), tc.args[1]) {
			t.Errorf("%v = %v, want an error naming %s", tc.args, err, tc.args[1])
		}
	}
}
