package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"sigs.k8s.io/yaml"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

const testAuditBucket = "acme-rectify-audit"

// attr reads a (nested) argument of an instance: "rule.0.default_retention.0.mode".
func attr(t *testing.T, inst tfInstance, path string) cty.Value {
	t.Helper()
	parts := strings.Split(path, ".")
	v, ok := inst.attrs[parts[0]]
	if !ok {
		t.Fatalf("%s: no argument %s", inst.addr, parts[0])
	}
	for _, p := range parts[1:] {
		switch {
		case v.Type().IsTupleType() || v.Type().IsListType():
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= v.LengthInt() {
				t.Fatalf("%s: %s has %d blocks", inst.addr, path, v.LengthInt())
			}
			v = v.Index(cty.NumberIntVal(int64(i)))
		case v.Type().IsObjectType() && v.Type().HasAttribute(p):
			v = v.GetAttr(p)
		default:
			t.Fatalf("%s: no %s in %s", inst.addr, p, path)
		}
	}
	return v
}

// With audit_bucket_name the module creates a write-once bucket (Object
// Lock in compliance mode for audit_retention_days, versioning, no public
// access, TLS only) and lets the worker put objects under the prefix and
// nothing more; rectify_config carries audit: as rectify reads it.
func TestAuditBucket(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(map[string]cty.Value{
		"audit_bucket_name":    cty.StringVal(testAuditBucket),
		"audit_retention_days": cty.NumberIntVal(2555),
	}))
	b := e.one("aws_s3_bucket.audit")
	if b.str(t, "bucket") != testAuditBucket || !attr(t, b, "object_lock_enabled").True() || attr(t, b, "force_destroy").True() {
		t.Errorf("audit bucket = %v", b.attrs)
	}
	if s := attr(t, e.one("aws_s3_bucket_versioning.audit"), "versioning_configuration.0.status"); s.AsString() != "Enabled" {
		t.Errorf("versioning %s, want Enabled (Object Lock needs it)", s.AsString())
	}
	lock := e.one("aws_s3_bucket_object_lock_configuration.audit")
	if m, d := attr(t, lock, "rule.0.default_retention.0.mode"), attr(t, lock, "rule.0.default_retention.0.days"); m.AsString() != "COMPLIANCE" || !d.Equals(cty.NumberIntVal(2555)).True() {
		t.Errorf("object lock %s for %s days, want COMPLIANCE for 2555", m.AsString(), d.AsBigFloat())
	}
	pab := e.one("aws_s3_bucket_public_access_block.audit")
	for _, f := range []string{"block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"} {
		if !attr(t, pab, f).True() {
			t.Errorf("audit bucket %s is not true", f)
		}
	}
	if a := attr(t, e.one("aws_s3_bucket_server_side_encryption_configuration.audit"), "rule.0.apply_server_side_encryption_by_default.0.sse_algorithm"); a.AsString() != "AES256" {
		t.Errorf("default encryption %s", a.AsString())
	}
	if o := attr(t, e.one("aws_s3_bucket_ownership_controls.audit"), "rule.0.object_ownership"); o.AsString() != "BucketOwnerEnforced" {
		t.Errorf("object ownership %s, want ACLs off", o.AsString())
	}
	bp := parsePolicy(t, "audit bucket policy", e.one("aws_s3_bucket_policy.audit").str(t, "policy"))
	if len(bp.Statement) != 1 || bp.Statement[0].Effect != "Deny" || !slices.Equal(bp.Statement[0].Condition["Bool"]["aws:SecureTransport"], []string{"false"}) {
		t.Errorf("audit bucket policy %+v, want TLS only", bp)
	}

	// The worker: s3:PutObject under the prefix, in this account, and no
	// other S3 action.
	_, policies := rolePolicies(t, e, "aws_iam_role.worker")
	if got := actions(policies...); !slices.Equal(got, []string{"s3:PutObject", "sqs:SendMessage", "sts:AssumeRole"}) {
		t.Errorf("worker role grants %v, want s3:PutObject added and nothing else", got)
	}
	prefixARN := "arn:aws:s3:::" + testAuditBucket + "/" + config.DefaultAuditPrefix + "*"
	for _, p := range policies {
		for _, g := range p.grants() {
			if g.action != "s3:PutObject" {
				continue
			}
			if g.resource != prefixARN || !slices.Equal(g.stmt.Condition["StringEquals"]["aws:ResourceAccount"], []string{testAccount}) {
				t.Errorf("s3:PutObject on %s with %v, want only %s in account %s", g.resource, g.stmt.Condition, prefixARN, testAccount)
			}
		}
	}
	// Every key the worker writes is under the granted resource.
	rec := audit.Record{ViolationID: "0b6c5a3e", Seq: 3, State: contract.StateResolved, Time: time.Now(), Account: "222222222222"}
	if key := "arn:aws:s3:::" + testAuditBucket + "/" + rec.Key(config.DefaultAuditPrefix); !strings.HasPrefix(key, strings.TrimSuffix(prefixARN, "*")) {
		t.Errorf("record key %s is outside the grant %s", key, prefixARN)
	}

	// rectify_config's audit: section loads as rectify's configuration.
	var out struct {
		Audit map[string]string `json:"audit"`
	}
	fromCty(t, e.outputs["rectify_config"], &out)
	doc, err := yaml.Marshal(map[string]any{"audit": out.Audit})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "rectify.yaml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range config.EnvNames() {
		t.Setenv(name, "")
	}
	cfg, err := config.Load(file)
	if err != nil || cfg.Audit.Bucket != testAuditBucket || cfg.Audit.Prefix != config.DefaultAuditPrefix {
		t.Errorf("rectify_config audit %v loads as %+v, %v", out.Audit, cfg.Audit, err)
	}

	// Whoever runs `rectify report`: list the prefix, read its records.
	reader := parsePolicy(t, "audit_reader_policy", e.outputs["audit_reader_policy"].AsString())
	var grants []string
	for _, g := range reader.grants() {
		grants = append(grants, g.action+" "+g.resource)
		if g.action == "s3:ListBucket" && !slices.Equal(g.stmt.Condition["StringLike"]["s3:prefix"], []string{config.DefaultAuditPrefix + "*"}) {
			t.Errorf("s3:ListBucket condition %v, want the audit prefix only", g.stmt.Condition)
		}
	}
	if want := []string{"s3:ListBucket arn:aws:s3:::" + testAuditBucket, "s3:GetObject " + prefixARN}; !slices.Equal(grants, want) {
		t.Errorf("audit_reader_policy grants %v, want %v", grants, want)
	}
	if arn := e.outputs["audit_bucket_arn"]; arn.IsNull() || arn.AsString() == "" {
		t.Error("audit_bucket_arn is null with an audit bucket")
	}
}

// Without audit_bucket_name there is no bucket, no grant and no audit:
// in rectify_config; bad audit inputs fail the plan with a message.
func TestAuditBucketOptional(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(nil))
	if n := len(e.resource("aws_s3_bucket.audit")); n != 0 {
		t.Errorf("%d audit buckets without audit_bucket_name", n)
	}
	var cfg map[string]any
	fromCty(t, e.outputs["rectify_config"], &cfg)
	if _, ok := cfg["audit"]; ok {
		t.Errorf("rectify_config has audit without a bucket: %v", cfg["audit"])
	}
	if !e.outputs["audit_bucket_arn"].IsNull() || !e.outputs["audit_reader_policy"].IsNull() {
		t.Error("audit outputs are set without a bucket")
	}
	for _, tc := range []struct {
		name  string
		in    map[string]cty.Value
		error string
	}{
		{"bucket name", map[string]cty.Value{"audit_bucket_name": cty.StringVal("Audit_Bucket")}, "audit_bucket_name must be an S3 bucket name"},
		{"prefix", map[string]cty.Value{"audit_bucket_name": cty.StringVal(testAuditBucket), "audit_prefix": cty.StringVal("/audit/")}, "audit_prefix must not start with '/'"},
		{"retention", map[string]cty.Value{"audit_bucket_name": cty.StringVal(testAuditBucket), "audit_retention_days": cty.NumberIntVal(0)}, "audit_retention_days must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := newEval(t, loadModule(t, rootModule), rootInputs(tc.in))
			if !strings.Contains(strings.Join(bad.failures, "\n"), tc.error) {
				t.Errorf("failures %v, want %q", bad.failures, tc.error)
			}
		})
	}
}

// The example passes its audit bucket through to the Helm values, so the
// worker writes the trail with no more set-up.
func TestAuditInExampleHelmValues(t *testing.T) {
	e := evalModule(t, exampleBasic, map[string]cty.Value{
		"oidc_provider_arn":     cty.StringVal(testOIDC),
		"external_id":           cty.StringVal(testExternalID),
		"member_account_id":     cty.StringVal("222222222222"),
		"member_admin_role_arn": cty.StringVal("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"),
		"audit_bucket_name":     cty.StringVal(testAuditBucket),
	})
	var values struct {
		Config struct {
			Audit struct{ Bucket, Prefix string } `json:"audit"`
		} `json:"config"`
	}
	if err := yaml.Unmarshal([]byte(e.outputs["helm_values"].AsString()), &values); err != nil {
		t.Fatal(err)
	}
	if values.Config.Audit.Bucket != testAuditBucket || values.Config.Audit.Prefix != config.DefaultAuditPrefix {
		t.Errorf("helm_values config.audit = %+v", values.Config.Audit)
	}
}
