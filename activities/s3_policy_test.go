package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	svcs3 "github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

// s3Fixture is a fake cloud with one bucket and Activities that reach it
// through the real SDK.
type s3Fixture struct {
	cloud *fakecloud.Cloud
	a     *Activities
	ref   resource.Ref
}

func newS3Fixture(t *testing.T, seed fakecloud.BucketSeed) s3Fixture {
	t.Helper()
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	if err := cloud.SeedBucket(fakecloud.DefaultAccount, seed); err != nil {
		t.Fatal(err)
	}
	factory, err := awsclient.New(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s3Fixture{
		cloud: cloud,
		a:     &Activities{AWS: factory, Policies: mustPolicies(t), Rules: &config.Config{}},
		ref: resource.Ref{Type: svcs3.TypeBucket, ID: seed.Name, ARN: svcs3.BucketARN(seed.Name),
			Account: fakecloud.DefaultAccount, Region: "us-east-1"},
	}
}

// violation evaluates the bucket as the Evaluate workflow does and returns
// the params of policyID's violation after a JSON round trip, which is how
// they reach Apply through Temporal; nil when the bucket passes.
func (f s3Fixture) violation(t *testing.T, policyID string) map[string]any {
	t.Helper()
	out, err := f.a.EvaluateResource(context.Background(), EvaluateResourceInput{Ref: f.ref})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Violations {
		if v.PolicyID != policyID {
			continue
		}
		b, err := json.Marshal(v.Params)
		if err != nil {
			t.Fatal(err)
		}
		var params map[string]any
		if err := json.Unmarshal(b, &params); err != nil {
			t.Fatal(err)
		}
		return params
	}
	return nil
}

func (f s3Fixture) policy(t *testing.T) string {
	t.Helper()
	info, ok := f.cloud.Bucket(f.ref.ID)
	if !ok {
		t.Fatal("bucket gone")
	}
	return info.Policy
}

// statements decodes a policy's statements for comparison by meaning.
func statements(t *testing.T, policy string) []any {
	t.Helper()
	doc, err := resource.NormalizePolicyDocument(policy)
	if err != nil {
		t.Fatalf("policy %s: %v", policy, err)
	}
	if doc == nil {
		return nil
	}
	return doc["Statement"].([]any)
}

const (
	stmtPublicRead = `{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%[1]s/*"}`
	stmtAnonList   = `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::%[1]s"}`
	stmtVPCE       = `{"Sid":"ThroughEndpoint","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%[1]s/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}}`
	stmtAccount    = `{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%[1]s/*"}`
	stmtTLS        = `{"Sid":"DenyHTTP","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
)

func policyOf(bucket string, stmts ...string) string {
	for i, s := range stmts {
		stmts[i] = fmt.Sprintf(s, bucket)
	}
	return `{"Version":"2012-10-17","Id":"keep-me","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestDeletePublicStatements(t *testing.T) {
	const b = "acme-site"
	tests := []struct {
		name   string
		before string
		want   string // "" for no policy left
	}{
		{"only the public statements go", policyOf(b, stmtVPCE, stmtPublicRead, stmtAccount, stmtAnonList), policyOf(b, stmtVPCE, stmtAccount)},
		{"a policy of public statements only is deleted", policyOf(b, stmtPublicRead), ""},
		{"a single statement object", `{"Version":"2012-10-17","Statement":` + fmt.Sprintf(stmtAnonList, b) + `}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fixture(t, fakecloud.BucketSeed{Name: b, Policy: tt.before})
			ctx := context.Background()
			params := f.violation(t, "aws.s3.bucket_policy_public")
			if params == nil {
				t.Fatal("seeded policy is not judged public")
			}
			in := ActionInput{Action: "s3_delete_public_statements", Ref: f.ref, Params: params}
			snap, err := f.a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.a.Apply(ctx, in)
			if err != nil || !out.Changed {
				t.Fatalf("apply = %+v, %v; want changed", out, err)
			}
			got := f.policy(t)
			if (got == "") != (tt.want == "") || !reflect.DeepEqual(statements(t, got), statements(t, tt.want)) {
				t.Errorf("policy after apply = %s\nwant %s", got, tt.want)
			}
			if got != "" && !strings.Contains(got, `"Id":"keep-me"`) {
				t.Errorf("policy lost its Id: %s", got)
			}
			if p := f.violation(t, "aws.s3.bucket_policy_public"); p != nil {
				t.Errorf("still public after apply: %v", p)
			}
			if again, err := f.a.Apply(ctx, in); err != nil || again.Changed {
				t.Errorf("second apply = %+v, %v; want unchanged", again, err)
			}
			if err := f.a.Undo(ctx, UndoInput{Ref: f.ref, Snapshot: snap}); err != nil {
				t.Fatal(err)
			}
			if got := f.policy(t); got != tt.before {
				t.Errorf("policy after undo = %s\nwant exactly %s", got, tt.before)
			}
		})
	}
}

// TestDeletePublicStatementsRefusesAChangedPolicy: the indexes the policy
// named now point at other statements; nothing may be deleted.
func TestDeletePublicStatementsRefusesAChangedPolicy(t *testing.T) {
	const b = "acme-site"
	f := newS3Fixture(t, fakecloud.BucketSeed{Name: b, Policy: policyOf(b, stmtAccount, stmtPublicRead)})
	ctx := context.Background()
	params := f.violation(t, "aws.s3.bucket_policy_public") // statement 1, Sid PublicRead
	client := f.a.AWS.S3(f.ref.Account, f.ref.Region)
	// Someone inserts another public statement, Sid Other, at index 1.
	shifted := policyOf(b, stmtAccount, strings.Replace(stmtAnonList, `"Effect"`, `"Sid":"Other","Effect"`, 1), stmtPublicRead)
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(shifted)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.a.Apply(ctx, ActionInput{Action: "s3_delete_public_statements", Ref: f.ref, Params: params})
	if err == nil || !strings.Contains(err.Error(), "changed since it was judged") {
		t.Fatalf("apply on a shifted policy = %v, want a PolicyChanged refusal", err)
	}
	if got := f.policy(t); got != shifted {
		t.Errorf("policy changed by a refused apply: %s", got)
	}
}

func TestAddTLSDeny(t *testing.T) {
	const b = "acme-reports"
	tests := []struct {
		name   string
		before string // "" for no policy
	}{
		{"no policy", ""},
		{"other statements are kept", policyOf(b, stmtAccount, stmtVPCE)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fixture(t, fakecloud.BucketSeed{Name: b, Policy: tt.before})
			ctx := context.Background()
			params := f.violation(t, "aws.s3.bucket_policy_tls")
			if params == nil {
				t.Fatal("bucket is not judged to lack a TLS deny")
			}
			in := ActionInput{Action: "s3_add_tls_deny", Ref: f.ref, Params: params}
			snap, err := f.a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.a.Apply(ctx, in)
			if err != nil || !out.Changed {
				t.Fatalf("apply = %+v, %v; want changed", out, err)
			}
			got := statements(t, f.policy(t))
			want := append(statements(t, tt.before), statements(t, `{"Statement":[`+strings.Replace(fmt.Sprintf(stmtTLS, b), "DenyHTTP", "RectifyDenyInsecureTransport", 1)+`]}`)...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("statements after apply = %v\nwant %v", got, want)
			}
			if p := f.violation(t, "aws.s3.bucket_policy_tls"); p != nil {
				t.Errorf("still violating after apply: %v", p)
			}
			if again, err := f.a.Apply(ctx, in); err != nil || again.Changed {
				t.Errorf("second apply = %+v, %v; want unchanged", again, err)
			}
			if err := f.a.Undo(ctx, UndoInput{Ref: f.ref, Snapshot: snap}); err != nil {
				t.Fatal(err)
			}
			if got := f.policy(t); got != tt.before {
				t.Errorf("policy after undo = %q, want exactly %q", got, tt.before)
			}
		})
	}
}

func TestAddTLSDenyAlreadyThere(t *testing.T) {
	const b = "acme-reports"
	before := policyOf(b, stmtTLS)
	f := newS3Fixture(t, fakecloud.BucketSeed{Name: b, Policy: before})
	out, err := f.a.Apply(context.Background(), ActionInput{Action: "s3_add_tls_deny", Ref: f.ref, Params: map[string]any{"bucket": b}})
	if err != nil || out.Changed {
		t.Fatalf("apply = %+v, %v; want unchanged", out, err)
	}
	if got := f.policy(t); got != before {
		t.Errorf("policy rewritten: %s", got)
	}
}

func TestEnableKMSEncryption(t *testing.T) {
	const b = "acme-payroll"
	const key = "arn:aws:kms:us-east-1:123456789012:key/0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	tests := []struct {
		name    string
		before  *s3types.ServerSideEncryptionRule // nil: S3's default
		params  map[string]any                    // extra params
		wantKey string
	}{
		{"default SSE-S3, aws/s3 key", nil, nil, ""},
		{"explicit SSE-S3 with bucket key, key from params", &s3types.ServerSideEncryptionRule{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256},
			BucketKeyEnabled:                   aws.Bool(true),
		}, map[string]any{"kms_master_key_id": key}, key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fixture(t, fakecloud.BucketSeed{Name: b, Tags: map[string]string{"data-classification": "confidential"}})
			ctx := context.Background()
			client := f.a.AWS.S3(f.ref.Account, f.ref.Region)
			if tt.before != nil {
				if _, err := client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(b),
					ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{*tt.before}}}); err != nil {
					t.Fatal(err)
				}
			}
			prior, _ := f.cloud.Bucket(b)
			params := f.violation(t, "aws.s3.sensitive_kms_encryption")
			if params == nil {
				t.Fatal("confidential SSE-S3 bucket is not judged")
			}
			for k, v := range tt.params {
				params[k] = v
			}
			in := ActionInput{Action: "s3_enable_kms_encryption", Ref: f.ref, Params: params}
			snap, err := f.a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.a.Apply(ctx, in)
			if err != nil || !out.Changed {
				t.Fatalf("apply = %+v, %v; want changed", out, err)
			}
			info, _ := f.cloud.Bucket(b)
			if e := info.Encryption; e == nil || e.SSEAlgorithm != "aws:kms" || e.KMSMasterKeyID != tt.wantKey || !e.BucketKeyEnabled {
				t.Errorf("encryption after apply = %+v, want aws:kms key %q with a bucket key", e, tt.wantKey)
			}
			if p := f.violation(t, "aws.s3.sensitive_kms_encryption"); p != nil {
				t.Errorf("still violating after apply: %v", p)
			}
			if again, err := f.a.Apply(ctx, in); err != nil || again.Changed {
				t.Errorf("second apply = %+v, %v; want unchanged", again, err)
			}
			if err := f.a.Undo(ctx, UndoInput{Ref: f.ref, Snapshot: snap}); err != nil {
				t.Fatal(err)
			}
			after, _ := f.cloud.Bucket(b)
			// S3 cannot tell its default from an explicit SSE-S3 rule, so
			// undoing over the default puts the same rule back explicitly.
			if want := prior.Encryption; want == nil {
				if e := after.Encryption; e == nil || *e != (fakecloud.BucketEncryption{SSEAlgorithm: "AES256"}) {
					t.Errorf("encryption after undo = %+v, want SSE-S3 without bucket key", e)
				}
			} else if !reflect.DeepEqual(after.Encryption, want) {
				t.Errorf("encryption after undo = %+v, want %+v", after.Encryption, want)
			}
		})
	}
}
