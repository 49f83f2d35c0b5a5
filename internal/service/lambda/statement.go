package lambda

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Permission is one AddPermission: the fields Lambda turns into one
// statement of the function's policy. The plan plane reads it from an
// aws_lambda_permission, and Undo rebuilds it from a statement it removed.
type Permission struct {
	StatementID         string `json:"statement_id"`
	Action              string `json:"action"`
	Principal           string `json:"principal"`
	SourceArn           string `json:"source_arn,omitempty"`
	SourceAccount       string `json:"source_account,omitempty"`
	PrincipalOrgID      string `json:"principal_org_id,omitempty"`
	EventSourceToken    string `json:"event_source_token,omitempty"`
	FunctionURLAuthType string `json:"function_url_auth_type,omitempty"`
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// Statement is the statement Lambda writes for p, in the shape GetPolicy
// returns (a one-element Action a string, the principal of an account its
// root ARN); resourceARN is left out when "" (unknown at plan time).
func (p Permission) Statement(resourceARN string) map[string]any {
	st := map[string]any{"Sid": p.StatementID, "Effect": "Allow", "Action": p.Action}
	switch {
	case p.Principal == "*":
		st["Principal"] = "*"
	case accountID.MatchString(p.Principal):
		st["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + p.Principal + ":root"}
	case strings.HasPrefix(p.Principal, "arn:"):
		st["Principal"] = map[string]any{"AWS": p.Principal}
	default:
		st["Principal"] = map[string]any{"Service": p.Principal}
	}
	if resourceARN != "" {
		st["Resource"] = resourceARN
	}
	cond := map[string]map[string]string{}
	put := func(op, key, v string) {
		if v == "" {
			return
		}
		if cond[op] == nil {
			cond[op] = map[string]string{}
		}
		cond[op][key] = v
	}
	put("StringEquals", "AWS:SourceAccount", p.SourceAccount)
	put("ArnLike", "AWS:SourceArn", p.SourceArn)
	put("StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID)
	put("StringEquals", "lambda:EventSourceToken", p.EventSourceToken)
	put("StringEquals", "lambda:FunctionUrlAuthType", p.FunctionURLAuthType)
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	return st
}

// PermissionOf reads back the AddPermission a statement came from, so Undo
// can put a removed statement back through the only API Lambda offers for
// it. A statement AddPermission cannot write (several actions, a Deny, a
// condition key it does not know) is an error: Undo then says so instead
// of adding something else.
func PermissionOf(raw json.RawMessage) (Permission, error) {
	var st struct {
		Sid       string
		Effect    string
		Action    any
		Principal any
		Condition map[string]map[string]any
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return Permission{}, fmt.Errorf("statement is not a JSON object: %w", err)
	}
	p := Permission{StatementID: st.Sid}
	if st.Sid == "" || st.Effect != "Allow" {
		return p, fmt.Errorf("statement %q (Effect %q) is not one AddPermission writes", st.Sid, st.Effect)
	}
	var err error
	if p.Action, err = single(st.Action); err != nil {
		return p, fmt.Errorf("statement %q: Action: %w", st.Sid, err)
	}
	switch pr := st.Principal.(type) {
	case string:
		p.Principal = pr
	case map[string]any:
		if len(pr) != 1 {
			return p, fmt.Errorf("statement %q: Principal has %d kinds, want one", st.Sid, len(pr))
		}
		for k, v := range pr {
			s, err := single(v)
			if err != nil {
				return p, fmt.Errorf("statement %q: Principal.%s: %w", st.Sid, k, err)
			}
			p.Principal = s
			if k == "AWS" {
				// AddPermission takes an account as its bare id.
				if a, ok := strings.CutPrefix(s, "arn:aws:iam::"); ok && strings.HasSuffix(a, ":root") {
					p.Principal = strings.TrimSuffix(a, ":root")
				}
			}
		}
	default:
		return p, fmt.Errorf("statement %q: Principal is %T", st.Sid, st.Principal)
	}
	for op, keys := range st.Condition {
		for k, v := range keys {
			s, err := single(v)
			if err != nil {
				return p, fmt.Errorf("statement %q: Condition %s %s: %w", st.Sid, op, k, err)
			}
			switch strings.ToLower(k) {
			case "aws:sourceaccount":
				p.SourceAccount = s
			case "aws:sourcearn":
				p.SourceArn = s
			case "aws:principalorgid":
				p.PrincipalOrgID = s
			case "lambda:eventsourcetoken":
				p.EventSourceToken = s
			case "lambda:functionurlauthtype":
				p.FunctionURLAuthType = s
			default:
				return p, fmt.Errorf("statement %q: condition key %s is not one AddPermission writes", st.Sid, k)
			}
		}
	}
	return p, nil
}

// single is a string, or a list of exactly one.
func single(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []any:
		if len(x) == 1 {
			if s, ok := x[0].(string); ok {
				return s, nil
			}
		}
		return "", fmt.Errorf("a list of %d values, want one string", len(x))
	}
	return "", fmt.Errorf("%T, want a string", v)
}
