package events

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/service"
)

// A finding rectify wrote itself carries its GeneratorId prefix
// (activities.GeneratorID) or its workflow in ProductFields (activities.asff).
// Reacting to it would evaluate the resource again for every status the
// finding goes through. The ProductArn is no signal: .../product/<account>/default
// is shared by every tool that imports findings into the account.
const (
	ownGeneratorPrefix = contract.GeneratorPrefix
	ownWorkflowField   = contract.GeneratorPrefix + "WorkflowId"
)

// parseSecurityHub reads the detail of a "Security Hub Findings - Imported"
// event: one Trigger per resource of each finding.
func parseSecurityHub(detail fields, env envelope) ([]Trigger, error) {
	raws, err := detail.list("findings")
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, detail.errorf("Security Hub event has no findings")
	}
	var out []Trigger
	for i, raw := range raws {
		f, err := asObject(raw, fmt.Sprintf("%s[%d]", detail.child("findings"), i))
		if err != nil {
			return nil, err
		}
		ts, err := findingTriggers(f, env)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

func findingTriggers(f fields, env envelope) ([]Trigger, error) {
	var generator, title, id, account, region string
	for _, v := range []struct {
		dst *string
		key string
	}{
		{&generator, "GeneratorId"}, {&title, "Title"}, {&id, "Id"},
		{&account, "AwsAccountId"}, {&region, "Region"},
	} {
		var err error
		if *v.dst, err = f.str(v.key); err != nil {
			return nil, err
		}
	}
	// In an administrator account the event's account is the
	// administrator's; the finding names the member that owns the resource.
	base := Trigger{
		Source: SourceSecurityHub, EventName: firstOf2(generator, title), EventID: id,
		Account: firstOf2(account, env.account), Region: firstOf2(region, env.region),
	}
	if base.EventName == "" {
		return nil, f.errorf("finding has neither GeneratorId nor Title")
	}
	updated, err := f.timestamp("UpdatedAt")
	if err != nil {
		return nil, err
	}
	base.EventTime = updated
	if base.EventTime.IsZero() {
		base.EventTime = env.time
	}
	reason, err := findingIgnored(f, generator, id)
	if err != nil {
		return nil, err
	}
	raws, err := f.list("Resources")
	if err != nil {
		return nil, err
	}
	if reason != "" {
		return ignoredFinding(base, f, raws, reason), nil
	}
	if len(raws) == 0 {
		return nil, f.errorf("finding %s has no Resources", firstOf2(id, base.EventName))
	}
	ts := make([]Trigger, 0, len(raws))
	for i, raw := range raws {
		r, err := asObject(raw, fmt.Sprintf("%s[%d]", f.child("Resources"), i))
		if err != nil {
			return nil, err
		}
		t, err := findingResource(base, r)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// findingIgnored says why a finding calls for no evaluation, or "".
func findingIgnored(f fields, generator, id string) (string, error) {
	product, err := f.obj("ProductFields")
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(generator, ownGeneratorPrefix) || product.has(ownWorkflowField) {
		return reasonOwnFinding + firstOf2(generator, id), nil
	}
	compliance, err := f.obj("Compliance")
	if err != nil {
		return "", err
	}
	status, err := compliance.str("Status")
	if err != nil {
		return "", err
	}
	if strings.EqualFold(status, "PASSED") {
		return reasonNotFailed + "compliance PASSED", nil
	}
	record, err := f.str("RecordState")
	if err != nil {
		return "", err
	}
	if strings.EqualFold(record, "ARCHIVED") {
		return reasonNotFailed + "record ARCHIVED", nil
	}
	workflow, err := f.obj("Workflow")
	if err != nil {
		return "", err
	}
	state, err := workflow.str("Status")
	if err != nil {
		return "", err
	}
	if state == "" { // before Workflow.Status there was WorkflowState
		if state, err = f.str("WorkflowState"); err != nil {
			return "", err
		}
	}
	if state = strings.ToUpper(state); state == "RESOLVED" || state == "SUPPRESSED" {
		return reasonNotFailed + "workflow " + state, nil
	}
	return "", nil
}

// ignoredFinding still names the resources when it can, so the starter's log
// says what the finding was about; resources too odd to name are left out,
// since nothing will act on them.
func ignoredFinding(base Trigger, f fields, raws []json.RawMessage, reason string) []Trigger {
	var ts []Trigger
	for i, raw := range raws {
		r, err := asObject(raw, fmt.Sprintf("%s[%d]", f.child("Resources"), i))
		if err != nil {
			continue
		}
		t, err := findingResource(base, r)
		if err != nil {
			continue
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		ts = []Trigger{base}
	}
	for i := range ts {
		ts[i].Ignored, ts[i].Reason = true, reason
	}
	return ts
}

// findingResource maps one ASFF resource onto a Trigger. Id is usually the
// resource's ARN, which also says which account and region it lives in.
func findingResource(base Trigger, r fields) (Trigger, error) {
	typ, err := r.str("Type")
	if err != nil {
		return base, err
	}
	id, err := r.str("Id")
	if err != nil {
		return base, err
	}
	region, err := r.str("Region")
	if err != nil {
		return base, err
	}
	if id == "" {
		return base, r.errorf("resource has no Id")
	}
	details, err := r.obj("Details")
	if err != nil {
		return base, err
	}
	t := base
	if region != "" {
		t.Region = region
	}
	if a, isARN := kind.ParseARN(id); isARN {
		t.Account = firstOf2(a.Account, t.Account)
		t.Region = firstOf2(a.Region, t.Region)
	}
	unsupported := func(why string) (Trigger, error) {
		t.ResourceID = id
		t.Ignored, t.Reason = true, reasonUnsupported+"securityhub/"+typ+why
		return t, nil
	}
	k, ok := service.Registry.ByASFFType(typ)
	if !ok || k.Fetch == nil {
		return unsupported("")
	}
	if k.Global && (t.Region == "" || strings.EqualFold(t.Region, "global")) {
		t.Region = kind.GlobalRegion
	}
	if t.Account == "" {
		return base, r.errorf("resource %s has no account: neither its Id nor the finding's AwsAccountId names one", id)
	}
	if t.Region == "" {
		return base, r.errorf("resource %s has no Region", id)
	}
	// The Id is usually the resource's ARN; failing that, its own
	// description names it.
	candidates := []string{id}
	if k.ASFFDetailsID != "" {
		name, err := detail(details, k.ASFFType, k.ASFFDetailsID)
		if err != nil {
			return base, err
		}
		candidates = append(candidates, name)
	}
	ref, ok := resolveFirst(k, t.Account, t.Region, candidates...)
	if !ok {
		return unsupported(" (Id " + id + " names no resource of that type)")
	}
	t.ResourceType, t.ResourceID, t.ARN, t.Account, t.Region = ref.Type, ref.ID, ref.ARN, ref.Account, ref.Region
	return t, nil
}

// detail reads Details.<typ>.<key>, the resource's own description.
func detail(details fields, typ, key string) (string, error) {
	d, err := details.obj(typ)
	if err != nil {
		return "", err
	}
	return d.str(key)
}
