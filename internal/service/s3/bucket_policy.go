package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// The policies whose verdicts the bucket policy actions re-check at apply
// time, so that the Rego policy stays the only definition of "public" and
// "denies plain HTTP".
const (
	policyBucketPolicyPublic = "aws.s3.bucket_policy_public"
	policyBucketPolicyTLS    = "aws.s3.bucket_policy_tls"
)

// ErrPolicyChanged: the bucket policy is no longer the one the violation
// named, so applying the approved edit could delete the wrong statement.
// The PutBucketPolicy event of that change re-evaluates the bucket anyway.
const ErrPolicyChanged = "PolicyChanged"

// tlsDenySid names the statement s3_add_tls_deny adds.
const tlsDenySid = "RectifyDenyInsecureTransport"

// bucketPolicyLocks serialize the read-modify-write of one bucket's policy
// inside this worker: s3_delete_public_statements and s3_add_tls_deny often
// fire together on the same bucket, and PutBucketPolicy has no
// precondition, so two concurrent edits would lose one. Workers in other
// processes are not covered; verification catches what they undo.
var bucketPolicyLocks sync.Map // bucket name -> *sync.Mutex

func lockBucketPolicy(bucket string) func() {
	m, _ := bucketPolicyLocks.LoadOrStore(bucket, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// policySnapshot is the whole bucket policy before an edit, as S3 returned
// it; Missing when the bucket had none, so Undo deletes the policy.
type policySnapshot struct {
	Bucket  string `json:"bucket"`
	Missing bool   `json:"missing"`
	Policy  string `json:"policy,omitempty"`
}

// bucketPolicyEdit is the snapshot and undo both bucket policy actions
// share.
type bucketPolicyEdit struct{}

func (bucketPolicyEdit) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (any, error) {
	text, err := bucketPolicy(ctx, env.AWS.S3(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return nil, err
	}
	if text == nil {
		return policySnapshot{Bucket: ref.ID, Missing: true}, nil
	}
	return policySnapshot{Bucket: ref.ID, Policy: *text}, nil
}

func (bucketPolicyEdit) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap policySnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo bucket policy edit on %s: snapshot: %v", ref.ID, err)
	}
	defer lockBucketPolicy(ref.ID)()
	client := env.AWS.S3(ref.Account, ref.Region)
	if snap.Missing {
		if _, err := client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(ref.ID)}); err != nil {
			return awserr.Wrap(ctx, "delete policy of bucket "+ref.ID, err)
		}
		return nil
	}
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(ref.ID), Policy: aws.String(snap.Policy)}); err != nil {
		return awserr.Wrap(ctx, "restore policy of bucket "+ref.ID, err)
	}
	return nil
}

// judgePolicy evaluates one bucket policy control on the policy text alone;
// both controls read only properties.policy and properties.bucket.
func judgePolicy(ctx context.Context, env kind.Env, ref resource.Ref, policyID string, text *string) ([]map[string]any, error) {
	state := BucketState{Name: ref.ID, Policy: text, NoPolicy: text == nil}
	if err := state.Check(); err != nil {
		return nil, awserr.Permanent(awserr.InvalidParams, "judge policy of bucket %s: %v", ref.ID, err)
	}
	params, err := env.Judge(ctx, policyID, BucketResource(ref.Account, ref.Region, state))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s on bucket %s: %w", policyID, ref.ID, err)
	}
	return params, nil
}

// rawPolicy is a bucket policy split only as far as an edit needs: the
// top-level members and each statement stay the bytes S3 returned, so
// nothing the edit does not touch is rewritten.
type rawPolicy struct {
	top        map[string]json.RawMessage
	statements []json.RawMessage
}

func parseRawPolicy(text string) (*rawPolicy, error) {
	p := &rawPolicy{}
	if err := json.Unmarshal([]byte(text), &p.top); err != nil {
		return nil, fmt.Errorf("policy is not a JSON object: %w", err)
	}
	st := bytes.TrimSpace(p.top["Statement"])
	switch {
	case len(st) == 0 || bytes.Equal(st, []byte("null")):
	case st[0] == '{': // a single statement, which IAM allows
		p.statements = []json.RawMessage{st}
	default:
		if err := json.Unmarshal(st, &p.statements); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
	}
	return p, nil
}

func (p *rawPolicy) sid(i int) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(p.statements[i], &st)
	return st.Sid
}

func (p *rawPolicy) String() (string, error) {
	top := make(map[string]json.RawMessage, len(p.top))
	for k, v := range p.top {
		top[k] = v
	}
	stmts, err := json.Marshal(p.statements)
	if err != nil {
		return "", err
	}
	top["Statement"] = stmts
	b, err := json.Marshal(top)
	return string(b), err
}

// intList reads a list of integers from policy params: json.Number from
// the policy set, float64 after a JSON round trip through Temporal.
func intList(params map[string]any, key string) ([]int, error) {
	raw, _ := params[key].([]any)
	if v, ok := params[key]; ok && v != nil && raw == nil {
		return nil, awserr.Permanent(awserr.InvalidParams, "params.%s: want a list of integers, got %T", key, v)
	}
	out := make([]int, 0, len(raw))
	for i, x := range raw {
		n, err := kind.Int(x)
		if err != nil || n < 0 {
			return nil, awserr.Permanent(awserr.InvalidParams, "params.%s[%d]: want a non-negative integer: %v", key, i, x)
		}
		out = append(out, n)
	}
	return out, nil
}

// s3DeletePublicStatements deletes the bucket policy statements that
// aws.s3.bucket_policy_public named by index, and nothing else.
// DeletePublicStatements removes the statements of a bucket policy that
// grant access to anyone. Bucket policy edits read, put, and delete the
// policy when none is left or Undo restores "no policy".
var DeletePublicStatements = &kind.Action{
	Name:        "s3_delete_public_statements",
	Permissions: []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	Describe:    s3DeletePublicStatements{}.describe,
	Snapshot:    s3DeletePublicStatements{}.snapshot,
	Apply:       s3DeletePublicStatements{}.apply,
	Undo:        s3DeletePublicStatements{}.undo,
}

type s3DeletePublicStatements struct{ bucketPolicyEdit }

func (s3DeletePublicStatements) describe(params map[string]any) string {
	ids, _ := kind.Strings(params, "statement_ids")
	idx, _ := intList(params, "statement_indexes")
	if len(ids) > 0 {
		return fmt.Sprintf("delete the public bucket policy statements %s", strings.Join(ids, ", "))
	}
	return fmt.Sprintf("delete %d public bucket policy statement(s) (by position %v)", len(idx), idx)
}

// apply re-judges the current policy and deletes a named statement only
// when it is still public and, if it has a Sid, still carries one of the
// named Sids: indexes shift when someone edits the policy in between.
func (s3DeletePublicStatements) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	named, err := intList(params, "statement_indexes")
	if err != nil {
		return kind.Applied{}, err
	}
	if len(named) == 0 {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "s3_delete_public_statements on %s: params.statement_indexes is empty", ref.ID)
	}
	sids, err := kind.Strings(params, "statement_ids")
	if err != nil {
		return kind.Applied{}, err
	}
	defer lockBucketPolicy(ref.ID)()
	client := env.AWS.S3(ref.Account, ref.Region)
	text, err := bucketPolicy(ctx, client, ref.ID)
	if err != nil {
		return kind.Applied{}, err
	}
	if text == nil {
		return kind.Applied{Summary: "bucket " + ref.ID + " has no policy any more"}, nil
	}
	verdicts, err := judgePolicy(ctx, env, ref, policyBucketPolicyPublic, text)
	if err != nil {
		return kind.Applied{}, err
	}
	if len(verdicts) == 0 {
		return kind.Applied{Summary: "policy of bucket " + ref.ID + " has no public statement any more"}, nil
	}
	public, err := intList(verdicts[0], "statement_indexes")
	if err != nil {
		return kind.Applied{}, err
	}
	doc, err := parseRawPolicy(*text)
	if err != nil {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "policy of bucket %s: %v", ref.ID, err)
	}
	var drop []int
	for _, i := range named {
		if !slices.Contains(public, i) || i >= len(doc.statements) {
			continue // no longer public: someone fixed it by hand
		}
		if sid := doc.sid(i); sid != "" && !slices.Contains(sids, sid) {
			return kind.Applied{}, awserr.Permanent(ErrPolicyChanged,
				"policy of bucket %s changed since it was judged: statement %d is now %q, not one of %v; nothing deleted", ref.ID, i, sid, sids)
		}
		drop = append(drop, i)
	}
	if len(drop) == 0 {
		return kind.Applied{}, awserr.Permanent(ErrPolicyChanged,
			"policy of bucket %s changed since it was judged: public statements are now at %v, not %v; nothing deleted", ref.ID, public, named)
	}
	kept := make([]json.RawMessage, 0, len(doc.statements))
	for i, st := range doc.statements {
		if !slices.Contains(drop, i) {
			kept = append(kept, st)
		}
	}
	summary := fmt.Sprintf("deleted public statement(s) %v from the policy of %s", drop, ref.ID)
	if len(kept) == 0 {
		// S3 refuses a policy without statements: the bucket had only
		// public ones, so it ends with none.
		if _, err := client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(ref.ID)}); err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, "delete policy of bucket "+ref.ID, err)
		}
		return kind.Applied{Changed: true, Summary: summary + ", which leaves no policy"}, nil
	}
	doc.statements = kept
	out, err := doc.String()
	if err != nil {
		return kind.Applied{}, fmt.Errorf("encode policy of bucket %s: %w", ref.ID, err)
	}
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(ref.ID), Policy: aws.String(out)}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "put policy of bucket "+ref.ID, err)
	}
	return kind.Applied{Changed: true, Summary: summary}, nil
}

// s3AddTLSDeny adds a statement denying every S3 action to everyone over
// plain HTTP, creating the policy when the bucket has none.
// AddTLSDeny adds a statement that denies every request made without TLS.
var AddTLSDeny = &kind.Action{
	Name:        "s3_add_tls_deny",
	Permissions: []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	Describe:    s3AddTLSDeny{}.describe,
	Snapshot:    s3AddTLSDeny{}.snapshot,
	Apply:       s3AddTLSDeny{}.apply,
	Undo:        s3AddTLSDeny{}.undo,
}

type s3AddTLSDeny struct{ bucketPolicyEdit }

func (s3AddTLSDeny) describe(map[string]any) string {
	return "add a bucket policy statement that denies every request without TLS (aws:SecureTransport false)"
}

func (s3AddTLSDeny) apply(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (kind.Applied, error) {
	defer lockBucketPolicy(ref.ID)()
	client := env.AWS.S3(ref.Account, ref.Region)
	text, err := bucketPolicy(ctx, client, ref.ID)
	if err != nil {
		return kind.Applied{}, err
	}
	doc := &rawPolicy{top: map[string]json.RawMessage{"Version": json.RawMessage(`"2012-10-17"`)}}
	if text != nil {
		verdicts, err := judgePolicy(ctx, env, ref, policyBucketPolicyTLS, text)
		if err != nil {
			return kind.Applied{}, err
		}
		if len(verdicts) == 0 {
			return kind.Applied{Summary: "policy of bucket " + ref.ID + " already denies requests without TLS"}, nil
		}
		if doc, err = parseRawPolicy(*text); err != nil {
			return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "policy of bucket %s: %v", ref.ID, err)
		}
	}
	sid := tlsDenySid
	for n := 2; hasSid(doc, sid); n++ {
		sid = fmt.Sprintf("%s%d", tlsDenySid, n) // Sids must be unique in a policy
	}
	st, err := json.Marshal(map[string]any{
		"Sid":       sid,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []string{ref.ARN, ref.ARN + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	})
	if err != nil {
		return kind.Applied{}, fmt.Errorf("encode TLS statement for bucket %s: %w", ref.ID, err)
	}
	doc.statements = append(doc.statements, st)
	out, err := doc.String()
	if err != nil {
		return kind.Applied{}, fmt.Errorf("encode policy of bucket %s: %w", ref.ID, err)
	}
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(ref.ID), Policy: aws.String(out)}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "put policy of bucket "+ref.ID, err)
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("added statement %s denying requests without TLS to the policy of %s", sid, ref.ID)}, nil
}

func hasSid(doc *rawPolicy, sid string) bool {
	for i := range doc.statements {
		if doc.sid(i) == sid {
			return true
		}
	}
	return false
}
