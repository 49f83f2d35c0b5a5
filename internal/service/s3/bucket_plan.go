package s3

import (
	"fmt"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// S3 defaults for a bucket created today. Since January 2023 S3 encrypts
// every bucket with SSE-S3, and since April 2023 a new bucket has all four
// Block Public Access settings on and no bucket policy. A live read of a
// bucket created from this plan reports exactly these, so the plan plane
// fills them in for a create that does not set them.
var (
	defaultEncryption = map[string]any{"sse_algorithm": "AES256"}
	pabFlags          = []string{"block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"}
)

func defaultPublicAccessBlock() map[string]any {
	m := make(map[string]any, len(pabFlags))
	for _, f := range pabFlags {
		m[f] = true
	}
	return m
}

// bucketDoc assembles an aws_s3_bucket document. A property missing from
// props is unknown; public_access_block and policy may be a known null.
type bucketDoc struct {
	res   resource.Resource
	props map[string]any
}

func newBucket(in *plan.Instance) (plan.Doc, string, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "bucket")
	d := &bucketDoc{res: plan.Identity(in, TypeBucket, name), props: map[string]any{}}
	if name != "" {
		d.props["bucket"] = name
		d.res.ID = name
		d.res.ARN = BucketARN(name)
	}

	// AWS provider v3 style: encryption and policy written on the bucket.
	// From v4 on they are computed attributes that mirror what AWS has.
	if enc, ok := inlineEncryption(a); ok {
		d.props["encryption"] = enc
	} else if in.Create() && !in.Configures("server_side_encryption_configuration") {
		d.props["encryption"] = plan.Clone(defaultEncryption)
	}
	if text, ok := plan.Str(a, "policy"); ok {
		doc, err := resource.NormalizePolicyDocument(text)
		if err != nil {
			return nil, "", fmt.Errorf("policy: %w", err)
		}
		d.props["policy"] = plan.Nullable(doc)
	} else if v, present := a["policy"]; (present && v == nil) || (in.Create() && !in.Configures("policy")) {
		d.props["policy"] = nil
	}
	if l, ok := plan.List(a, "logging"); ok {
		d.props["logging"] = planLogging(l)
	} else if in.Create() && !in.Configures("logging") {
		d.props["logging"] = nil // a new bucket does not log
	}
	if in.Create() {
		d.props["public_access_block"] = defaultPublicAccessBlock()
	}
	return d, name, nil
}

func syntheticBucket(child *plan.Instance, key string) plan.Doc {
	d := &bucketDoc{res: plan.Synthetic(child, TypeBucket, key), props: map[string]any{}}
	if key != "" {
		d.props["bucket"] = key
		d.res.ARN = BucketARN(key)
	}
	return d
}

// inlineEncryption reads server_side_encryption_configuration on the
// bucket. A known empty list is SSE-S3 (S3 applies it to every bucket).
func inlineEncryption(a map[string]any) (map[string]any, bool) {
	l, ok := plan.List(a, "server_side_encryption_configuration")
	if !ok {
		return nil, false
	}
	if len(l) == 0 {
		return plan.Clone(defaultEncryption), true
	}
	cfg, _ := l[0].(map[string]any)
	return planEncryptionRule(cfg)
}

// encryptionRule reads rule[0].apply_server_side_encryption_by_default of
// an encryption configuration block or resource. The algorithm decides the
// verdict; a KMS key that is unknown at plan time (a key created in the same
// plan) is left out, and the algorithm still says KMS.
func planEncryptionRule(cfg map[string]any) (map[string]any, bool) {
	rule, ok := plan.FirstBlock(cfg, "rule")
	if !ok {
		return nil, false
	}
	def, ok := plan.FirstBlock(rule, "apply_server_side_encryption_by_default")
	if !ok {
		return nil, false
	}
	alg, ok := plan.NonEmpty(def, "sse_algorithm")
	if !ok {
		return nil, false
	}
	enc := map[string]any{"sse_algorithm": alg}
	plan.PutKnown(enc, "kms_master_key_id", def)
	return enc, true
}

// planLogging reads the v3 inline logging block: none is logging off.
func planLogging(blocks []any) any {
	if len(blocks) == 0 {
		return nil
	}
	b, _ := blocks[0].(map[string]any)
	return loggingTargetDoc(b)
}

// loggingTargetDoc is the logging document from target_bucket and
// target_prefix, each left out while unknown (a log bucket created in the
// same plan). The provider writes a prefix left out of the inline block
// as "", as S3 reports it.
func loggingTargetDoc(a map[string]any) map[string]any {
	doc := map[string]any{}
	if v, ok := plan.Str(a, "target_bucket"); ok {
		doc["target_bucket"] = v
	}
	if v, ok := plan.Str(a, "target_prefix"); ok {
		doc["target_prefix"] = v
	}
	return doc
}

func (d *bucketDoc) Join(child *plan.Instance) error {
	a := child.After()
	switch child.Type() {
	case "aws_s3_bucket_public_access_block":
		if child.Deleted() {
			d.props["public_access_block"] = nil
			return nil
		}
		pab := map[string]any{}
		for _, f := range pabFlags {
			if v, ok := plan.Bool(a, f); ok {
				pab[f] = v
			}
		}
		d.props["public_access_block"] = pab
	case "aws_s3_bucket_server_side_encryption_configuration":
		if child.Deleted() {
			// DeleteBucketEncryption puts the bucket back on SSE-S3.
			d.props["encryption"] = plan.Clone(defaultEncryption)
			return nil
		}
		if enc, ok := planEncryptionRule(a); ok {
			d.props["encryption"] = enc
		} else {
			delete(d.props, "encryption")
		}
	case "aws_s3_bucket_logging":
		if child.Deleted() {
			d.props["logging"] = nil
			return nil
		}
		d.props["logging"] = loggingTargetDoc(a)
	case "aws_s3_bucket_policy":
		if child.Deleted() {
			d.props["policy"] = nil
			return nil
		}
		text, ok := plan.Str(a, "policy")
		if !ok {
			// Typically the policy names the new bucket's ARN.
			delete(d.props, "policy")
			return nil
		}
		doc, err := resource.NormalizePolicyDocument(text)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		d.props["policy"] = plan.Nullable(doc)
	}
	return nil
}

func (d *bucketDoc) Resource() resource.Resource {
	r := d.res
	r.Properties = d.props
	return r
}
