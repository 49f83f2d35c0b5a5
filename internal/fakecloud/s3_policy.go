package fakecloud

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
)

// bucketPolicy is a parsed bucket policy: just what validation and the
// public-access analysis need.
type bucketPolicy struct {
	Statements []policyStatement
}

type policyStatement struct {
	Effect       string
	Principal    any // "*" or {"AWS": "..." | [...], "Service": ..., ...}
	NotPrincipal any
	Condition    map[string]map[string]any
}

func malformedPolicy(msg string) *APIError {
	return s3Error(http.StatusBadRequest, "MalformedPolicy", "%s", msg)
}

// parseBucketPolicy validates a policy the way PutBucketPolicy does and
// returns it parsed. The checks are the ones that catch a broken
// remediation: JSON, the Statement list, Effect, a principal, an action
// and a resource inside this bucket.
func parseBucketPolicy(bucketName string, raw []byte) (*bucketPolicy, *APIError) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, malformedPolicy("This policy contains invalid Json")
	}
	for k := range doc {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, malformedPolicy("Unknown field " + k)
		}
	}
	if v, ok := doc["Version"]; ok {
		var version string
		if json.Unmarshal(v, &version) != nil || (version != "2012-10-17" && version != "2008-10-17") {
			return nil, malformedPolicy("The policy must contain a valid version string")
		}
	}
	rawStmts, ok := doc["Statement"]
	if !ok || bytes.Equal(bytes.TrimSpace(rawStmts), []byte("null")) {
		return nil, malformedPolicy("Missing required field Statement")
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(rawStmts, &list); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(rawStmts, &one); err != nil {
			return nil, malformedPolicy("This policy contains invalid Json")
		}
		list = []map[string]json.RawMessage{one}
	}
	if len(list) == 0 {
		return nil, malformedPolicy("Could not parse the policy: Statement is empty!")
	}
	p := &bucketPolicy{}
	for _, st := range list {
		ps, err := parseStatement(bucketName, st)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, ps)
	}
	return p, nil
}

func parseStatement(bucketName string, st map[string]json.RawMessage) (policyStatement, *APIError) {
	var ps policyStatement
	if st == nil {
		return ps, malformedPolicy("This policy contains invalid Json")
	}
	rawEffect, ok := st["Effect"]
	if !ok {
		return ps, malformedPolicy("Missing required field Effect")
	}
	if json.Unmarshal(rawEffect, &ps.Effect) != nil || (ps.Effect != "Allow" && ps.Effect != "Deny") {
		return ps, malformedPolicy("Invalid effect: " + strings.Trim(string(rawEffect), `"`))
	}
	principal, hasP := st["Principal"]
	notPrincipal, hasNP := st["NotPrincipal"]
	if !hasP && !hasNP {
		return ps, malformedPolicy("Missing required field Principal")
	}
	for _, p := range []struct {
		raw json.RawMessage
		ok  bool
		dst *any
	}{{principal, hasP, &ps.Principal}, {notPrincipal, hasNP, &ps.NotPrincipal}} {
		if !p.ok {
			continue
		}
		if json.Unmarshal(p.raw, p.dst) != nil || !validPolicyPrincipal(*p.dst) {
			return ps, malformedPolicy("Invalid principal in policy")
		}
	}
	actions, err := policyStrings(st, "Action", "NotAction")
	if err != nil {
		return ps, err
	}
	for _, a := range actions {
		if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
			return ps, malformedPolicy("Policy has invalid action")
		}
	}
	resources, err := policyStrings(st, "Resource", "NotResource")
	if err != nil {
		return ps, err
	}
	for _, r := range resources {
		if !inPolicyBucket(bucketName, r) {
			return ps, malformedPolicy("Policy has invalid resource")
		}
	}
	if c, ok := st["Condition"]; ok && json.Unmarshal(c, &ps.Condition) != nil {
		return ps, malformedPolicy("Policy has an invalid condition block")
	}
	return ps, nil
}

// policyStrings reads a field that is a string or a list of strings, under
// either of its two names (Action or NotAction).
func policyStrings(st map[string]json.RawMessage, name, notName string) ([]string, *APIError) {
	raw, ok := st[name]
	if !ok {
		if raw, ok = st[notName]; !ok {
			return nil, malformedPolicy("Missing required field " + name)
		}
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, malformedPolicy("Policy has invalid " + strings.ToLower(name))
	}
	return list, nil
}

// validPolicyPrincipal accepts "*" or an object of principal types each mapped
// to a string or a list of strings.
func validPolicyPrincipal(p any) bool {
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		if len(v) == 0 {
			return false
		}
		for k, ids := range v {
			switch k {
			case "AWS", "Service", "CanonicalUser", "Federated":
			default:
				return false
			}
			switch ids := ids.(type) {
			case string:
			case []any:
				for _, id := range ids {
					if _, ok := id.(string); !ok {
						return false
					}
				}
			default:
				return false
			}
		}
		return true
	}
	return false
}

// inPolicyBucket reports whether a policy resource is this bucket or an object
// in it, which is all a bucket policy may name.
func inPolicyBucket(bucketName, resource string) bool {
	arn := "arn:aws:s3:::" + bucketName
	return resource == arn || strings.HasPrefix(resource, arn+"/")
}

// isPublic reports whether the policy grants access to anyone, the way
// S3's policy status does: an Allow statement whose principal is "*" (or
// {"AWS": "*"}, or any NotPrincipal) and which no condition pins to fixed
// values of a key that identifies the caller or the network. Deny
// statements are not weighed against it, a simplification of S3's analysis.
func (p *bucketPolicy) isPublic() bool {
	for _, st := range p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		if (st.NotPrincipal != nil || wildcardPrincipal(st.Principal)) && !conditionRestricts(st.Condition) {
			return true
		}
	}
	return false
}

func wildcardPrincipal(p any) bool {
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		switch ids := v["AWS"].(type) {
		case string:
			return ids == "*"
		case []any:
			for _, id := range ids {
				if id == "*" {
					return true
				}
			}
		}
	}
	return false
}

// restrictingKeys are the condition keys whose fixed values make a
// wildcard principal non-public: S3's "The meaning of public" list plus the
// principal keys (PrincipalArn, PrincipalAccount, PrincipalOrgPaths) that
// IAM Access Analyzer also treats as restricting.
var restrictingKeys = map[string]bool{
	"aws:sourceip":              true,
	"aws:sourcevpc":             true,
	"aws:sourcevpce":            true,
	"aws:sourcearn":             true,
	"aws:sourceaccount":         true,
	"aws:sourceowner":           true,
	"aws:sourceorgid":           true,
	"aws:sourceorgpaths":        true,
	"aws:principalaccount":      true,
	"aws:principalarn":          true,
	"aws:principalorgid":        true,
	"aws:principalorgpaths":     true,
	"aws:userid":                true,
	"s3:dataaccesspointaccount": true,
	"s3:dataaccesspointarn":     true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// conditionRestricts reports whether any condition pins a restricting key
// to fixed values. A negated operator (StringNotEquals, NotIpAddress), an
// IfExists variant (true when the key is absent), a wildcard in a value,
// or an all-addresses CIDR leaves the statement public.
func conditionRestricts(cond map[string]map[string]any) bool {
	for op, keys := range cond {
		if _, base, ok := strings.Cut(op, ":"); ok { // ForAnyValue:/ForAllValues: qualifiers
			op = base
		}
		if strings.Contains(op, "Not") || strings.HasSuffix(op, "IfExists") || op == "Null" {
			continue
		}
		for key, vals := range keys {
			if restrictingKeys[strings.ToLower(key)] && conditionFixed(vals) {
				return true
			}
		}
	}
	return false
}

func conditionFixed(v any) bool {
	var vals []any
	switch v := v.(type) {
	case []any:
		vals = v
	default:
		vals = []any{v}
	}
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		s, ok := v.(string)
		if !ok || s == "" || strings.ContainsAny(s, "*?") || s == "0.0.0.0/0" || s == "::/0" {
			return false
		}
	}
	return true
}

func noSuchBucketPolicy() *APIError {
	return s3Error(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
}

// putBucketPolicy stores the policy as sent, which is what GetBucketPolicy
// returns. With BlockPublicPolicy on, a public policy is AccessDenied, as
// S3 refuses it.
func (s *s3Service) putBucketPolicy(c *call, t s3Target) *APIError {
	var parsed any
	if json.Unmarshal(c.body, &parsed) == nil {
		s.record(c, t, map[string]any{"bucketPolicy": parsed})
	}
	policy, err := parseBucketPolicy(t.bucket, c.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, berr := s.ownedBucket(c, t.bucket)
	switch {
	case berr != nil:
		return berr
	case err != nil:
		return err
	case b.pab != nil && b.pab.BlockPublicPolicy && policy.isPublic():
		return s3AccessDenied()
	}
	b.policy = string(c.body)
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}

func (s *s3Service) getBucketPolicy(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var policy string
	if err == nil {
		policy = b.policy
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return err
	case policy == "":
		return noSuchBucketPolicy()
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("x-amz-request-id", c.requestID)
	c.status = http.StatusOK
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(policy))
	return nil
}

// deleteBucketPolicy succeeds on a bucket without a policy, as S3 does.
func (s *s3Service) deleteBucketPolicy(c *call, t s3Target) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	b.policy = ""
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusNoContent)
	return nil
}

type policyStatusOut struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PolicyStatus"`
	IsPublic bool     `xml:"IsPublic"`
}

// getBucketPolicyStatus reports what the policy grants, whatever the
// public access block: RestrictPublicBuckets limits enforcement, not the
// status, which is how S3 reports it too.
func (s *s3Service) getBucketPolicyStatus(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var raw, name string
	if err == nil {
		raw, name = b.policy, b.name
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return err
	case raw == "":
		return noSuchBucketPolicy()
	}
	policy, perr := parseBucketPolicy(name, []byte(raw))
	if perr != nil {
		return perr // unreachable: only valid policies are stored
	}
	c.writeXML(http.StatusOK, policyStatusOut{IsPublic: policy.isPublic()})
	return nil
}
