package lambda

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypePermission is the Terraform type of one statement of a function's
// policy, joined to its function.
const TypePermission = "aws_lambda_permission"

var functionPlan = plan.Kind{
	Parents:   map[string]func(*plan.Instance) (plan.Doc, string, error){TypeFunction: newFunctionDoc},
	Children:  map[string]string{TypePermission: "function_name"},
	Synthetic: syntheticFunction,
}

// functionDoc assembles an aws_lambda_function document. The policy is
// what the plan declares: the aws_lambda_permission resources joined to
// the function. A permission added outside Terraform is the live plane's
// to find. A permission naming its function by ARN, not by name, joins a
// synthetic function of that ARN rather than its aws_lambda_function.
type functionDoc struct {
	res        resource.Resource
	name       string
	statements []map[string]any
	unknown    bool // a joined permission's principal or id is unknown until apply
}

func newFunctionDoc(in *plan.Instance) (plan.Doc, string, error) {
	name, _ := plan.NonEmpty(in.After(), "function_name")
	d := &functionDoc{res: plan.Identity(in, TypeFunction, name), name: name}
	if name != "" {
		d.res.ID = name
	}
	return d, name, nil
}

func syntheticFunction(child *plan.Instance, key string) plan.Doc {
	d := &functionDoc{res: plan.Synthetic(child, TypeFunction, key), name: key}
	if isFunctionName(key) {
		d.res.ID = key
	}
	return d
}

// Join folds one aws_lambda_permission in as the statement Lambda would
// write for it; a deleted one takes its statement (by id) out.
func (d *functionDoc) Join(child *plan.Instance) error {
	if child.Type() != TypePermission {
		return nil
	}
	if child.Deleted() {
		if sid, ok := plan.NonEmpty(child.Before(), "statement_id"); ok {
			d.drop(sid)
		}
		return nil
	}
	a := child.After()
	if child.Unknown("principal") || child.Unknown("statement_id") {
		d.unknown = true
		return nil
	}
	p := Permission{}
	p.StatementID, _ = plan.NonEmpty(a, "statement_id")
	p.Principal, _ = plan.NonEmpty(a, "principal")
	if p.Principal == "" {
		return fmt.Errorf("%s: no principal", child.Addr())
	}
	p.Action, _ = plan.NonEmpty(a, "action")
	p.SourceArn, _ = plan.Str(a, "source_arn")
	p.SourceAccount, _ = plan.Str(a, "source_account")
	p.PrincipalOrgID, _ = plan.Str(a, "principal_org_id")
	p.EventSourceToken, _ = plan.Str(a, "event_source_token")
	p.FunctionURLAuthType, _ = plan.Str(a, "function_url_auth_type")
	// A condition whose value is unknown (an ARN made in the same plan)
	// still restricts: it is written with a placeholder that is no
	// wildcard, so only the presence of the key decides.
	for attr, f := range map[string]*string{"source_arn": &p.SourceArn, "source_account": &p.SourceAccount, "principal_org_id": &p.PrincipalOrgID} {
		if child.Unknown(attr) {
			*f = "(known after apply)"
		}
	}
	d.drop(p.StatementID)
	d.statements = append(d.statements, p.Statement(""))
	return nil
}

func (d *functionDoc) drop(sid string) {
	d.statements = slices.DeleteFunc(d.statements, func(st map[string]any) bool { return st["Sid"] == sid })
}

func (d *functionDoc) Resource() resource.Resource {
	r := d.res
	p := map[string]any{}
	plan.PutString(p, "function_name", d.name)
	switch {
	case d.unknown:
		// policy unknown until apply
	case len(d.statements) == 0:
		p["policy"] = nil
	default:
		raw := map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": d.statements}
		text, err := json.Marshal(raw)
		if err == nil {
			if doc, err := resource.NormalizePolicyDocument(string(text)); err == nil {
				p["policy"] = doc
			}
		}
	}
	r.Properties = p
	return r
}
