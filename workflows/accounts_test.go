package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/rectifyhq/rectify/internal/contract"
)

// The Accounts workflow takes stage changes as validated Updates and
// answers the book by Query; it keeps running.
func TestAccountsWorkflow(t *testing.T) {
	h := newHarness(t)
	env := h.env
	type result struct {
		book     contract.StageBook
		rejected error
	}
	results := map[string]*result{}
	set := func(at time.Duration, id string, c contract.StageChange) {
		r := &result{}
		results[id] = r
		h.at(at, func() {
			env.UpdateWorkflow(contract.UpdateSetStage, id, &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { r.rejected = err },
				OnComplete: func(v any, err error) {
					if err != nil {
						t.Errorf("update %s: %v", id, err)
						return
					}
					r.book = jsonAs[contract.StageBook](t, v)
				},
			}, c)
		})
	}
	const acct = "111111111111"
	set(time.Minute, "promote", contract.StageChange{Account: acct, Stage: contract.StageActive, By: "alice", Reason: "reviewed"})
	set(2*time.Minute, "no-person", contract.StageChange{Account: acct, Stage: contract.StageActive})
	set(3*time.Minute, "bad-account", contract.StageChange{Account: "1234", Stage: contract.StageActive, By: "alice"})
	set(4*time.Minute, "bad-stage", contract.StageChange{Account: acct, Stage: "enforce", By: "alice"})
	set(5*time.Minute, "policy", contract.StageChange{Account: acct, Policy: "aws.ec2.ebs_default_encryption", Stage: contract.StageObserve, By: "bob"})
	var queried contract.StageBook
	h.at(6*time.Minute, func() {
		v, err := env.QueryWorkflow(contract.QueryStages)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		if err := v.Get(&queried); err != nil {
			t.Error(err)
		}
	})
	h.at(time.Hour, env.CancelWorkflow)
	env.ExecuteWorkflow(contract.AccountsWorkflow, contract.AccountsInput{})

	if b := results["promote"].book; len(b.Rules) != 1 || b.Rules[0].Stage != contract.StageActive || b.Rules[0].By != "alice" || b.Rules[0].At.IsZero() {
		t.Errorf("after promote: %+v", b)
	}
	for id, want := range map[string]string{"no-person": "needs the person", "bad-account": "not a 12-digit account id", "bad-stage": "want observe or active"} {
		if err := results[id].rejected; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: rejected with %v, want %q", id, err, want)
		}
	}
	if len(queried.Rules) != 2 || len(queried.Log) != 2 {
		t.Errorf("queried book = %+v, want the account and one policy, two log entries", queried)
	}
	if r, _ := contract.LookupStage(queried.Rules, acct, "aws.ec2.ebs_default_encryption"); r.Stage != contract.StageObserve || r.By != "bob" {
		t.Errorf("policy rule = %+v", r)
	}
}
