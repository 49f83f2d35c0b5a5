package plan

import (
	"fmt"

	"github.com/rectifyhq/rectify/internal/resource"
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

func newBucket(in *instance) (*parent, error) {
	a := in.after
	name, _ := nonEmpty(a, "bucket")
	d := &bucketDoc{res: identity(in, resource.TypeS3Bucket, name), props: map[string]any{}}
	if name != "" {
		d.props["bucket"] = name
		d.res.ID = name
		d.res.ARN = resource.BucketARN(name)
	}

	// AWS provider v3 style: encryption and policy written on the bucket.
	// From v4 on they are computed attributes that mirror what AWS has.
	if enc, ok := inlineEncryption(a); ok {
		d.props["encryption"] = enc
	} else if in.create && !in.configures("server_side_encryption_configuration") {
		d.props["encryption"] = clone(defaultEncryption)
	}
	if text, ok := str(a, "policy"); ok {
		doc, err := resource.NormalizePolicyDocument(text)
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		d.props["policy"] = nullable(doc)
	} else if v, present := a["policy"]; (present && v == nil) || (in.create && !in.configures("policy")) {
		d.props["policy"] = nil
	}
	if in.create {
		d.props["public_access_block"] = defaultPublicAccessBlock()
	}
	return &parent{inst: in, family: familyBucket, key: name, doc: d}, nil
}

func syntheticBucket(child *instance, key string) doc {
	d := &bucketDoc{res: synthetic(child, resource.TypeS3Bucket, key), props: map[string]any{}}
	if key != "" {
		d.props["bucket"] = key
		d.res.ARN = resource.BucketARN(key)
	}
	return d
}

// inlineEncryption reads server_side_encryption_configuration on the
// bucket. A known empty list is SSE-S3 (S3 applies it to every bucket).
func inlineEncryption(a map[string]any) (map[string]any, bool) {
	l, ok := list(a, "server_side_encryption_configuration")
	if !ok {
		return nil, false
	}
	if len(l) == 0 {
		return clone(defaultEncryption), true
	}
	cfg, _ := l[0].(map[string]any)
	return encryptionRule(cfg)
}

// encryptionRule reads rule[0].apply_server_side_encryption_by_default of
// an encryption configuration block or resource. The algorithm decides the
// verdict; a KMS key that is unknown at plan time (a key created in the same
// plan) is left out, and the algorithm still says KMS.
func encryptionRule(cfg map[string]any) (map[string]any, bool) {
	rule, ok := firstBlock(cfg, "rule")
	if !ok {
		return nil, false
	}
	def, ok := firstBlock(rule, "apply_server_side_encryption_by_default")
	if !ok {
		return nil, false
	}
	alg, ok := nonEmpty(def, "sse_algorithm")
	if !ok {
		return nil, false
	}
	enc := map[string]any{"sse_algorithm": alg}
	putKnown(enc, "kms_master_key_id", def)
	return enc, true
}

func (d *bucketDoc) join(child *instance) error {
	a := child.after
	switch child.typ {
	case "aws_s3_bucket_public_access_block":
		if child.deleted {
			d.props["public_access_block"] = nil
			return nil
		}
		pab := map[string]any{}
		for _, f := range pabFlags {
			if v, ok := boolean(a, f); ok {
				pab[f] = v
			}
		}
		d.props["public_access_block"] = pab
	case "aws_s3_bucket_server_side_encryption_configuration":
		if child.deleted {
			// DeleteBucketEncryption puts the bucket back on SSE-S3.
			d.props["encryption"] = clone(defaultEncryption)
			return nil
		}
		if enc, ok := encryptionRule(a); ok {
			d.props["encryption"] = enc
		} else {
			delete(d.props, "encryption")
		}
	case "aws_s3_bucket_policy":
		if child.deleted {
			d.props["policy"] = nil
			return nil
		}
		text, ok := str(a, "policy")
		if !ok {
			// Typically the policy names the new bucket's ARN.
			delete(d.props, "policy")
			return nil
		}
		doc, err := resource.NormalizePolicyDocument(text)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		d.props["policy"] = nullable(doc)
	}
	return nil
}

func (d *bucketDoc) resource() resource.Resource {
	r := d.res
	r.Properties = d.props
	return r
}

// nullable keeps a nil map a JSON null in Properties rather than a typed
// nil that converts to {}.
func nullable(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}
