package contract

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Stage is how far rectify may act in an account. A new account is in the
// observe stage: every control is notify-only and records what it would
// have done, until a person promotes the account (or one policy in it).
type Stage string

// Stages an account, or a policy in an account, can be in.
const (
	// StageObserve: every control notifies only ("would revoke ...").
	StageObserve Stage = "observe"
	// StageActive: each policy acts in its own mode (enforce, approve,
	// notify).
	StageActive Stage = "active"
)

// StageValues lists every stage, for help texts and validation.
var StageValues = []Stage{StageObserve, StageActive}

// ParseStage reads a stage as the config and the CLI write it.
func ParseStage(s string) (Stage, error) {
	if st := Stage(s); slices.Contains(StageValues, st) {
		return st, nil
	}
	return "", fmt.Errorf("%q: want observe or active", s)
}

// The Accounts workflow holds the stages people set with `rectify accounts
// promote|demote`: durable, shared by every worker, and auditable (each
// change is an Update in its history, with who, when and why). There is
// one per task queue, that is per rectify installation.
const (
	AccountsWorkflow = "Accounts"
	// UpdateSetStage sets one stage (StageChange) and returns the book.
	UpdateSetStage = "set-stage"
	// QueryStages returns the StageBook.
	QueryStages = "stages"
)

// AccountsID is the ID of the Accounts workflow of a task queue.
func AccountsID(taskQueue string) string { return "rectify/accounts/" + taskQueue }

// StageRule puts one account, or one policy in one account, in a stage.
// The configuration's rules (stages: in the file) have no By or At.
type StageRule struct {
	Account string `json:"account" yaml:"account"`
	// Policy, when set, narrows the rule to one policy id.
	Policy string    `json:"policy,omitempty" yaml:"policy"`
	Stage  Stage     `json:"stage" yaml:"stage"`
	Reason string    `json:"reason,omitempty" yaml:"reason"`
	By     string    `json:"by,omitempty" yaml:"-"`
	At     time.Time `json:"at,omitzero" yaml:"-"`
}

// Describe says who set the rule and when, for messages.
func (r StageRule) Describe() string {
	what := "account " + r.Account
	if r.Policy != "" {
		what = r.Policy + " in " + what
	}
	s := fmt.Sprintf("%s is %s", what, r.Stage)
	if r.By != "" {
		s += " (set by " + r.By
		if !r.At.IsZero() {
			s += " at " + r.At.UTC().Format(time.RFC3339)
		}
		s += ")"
	}
	return s
}

// StageChange is the argument of UpdateSetStage. Demoting a whole account
// (no Policy, StageObserve) also drops the per-policy promotions people
// made in it: demote is the way back to a safe state, and must not leave
// a policy acting behind it.
type StageChange struct {
	Account string `json:"account"`
	Policy  string `json:"policy,omitempty"`
	Stage   Stage  `json:"stage"`
	By      string `json:"by"`
	Reason  string `json:"reason,omitempty"`
}

// StageBook is the state of the Accounts workflow.
type StageBook struct {
	Rules []StageRule `json:"rules"`
	// Log is the latest changes, oldest first; the full trail is the
	// workflow's history of Updates.
	Log []StageRule `json:"log,omitempty"`
}

// AccountsInput starts or continues the Accounts workflow.
type AccountsInput struct {
	Book StageBook `json:"book"`
}

// LookupStage finds the rule that decides policyID in account: the
// policy's own rule first, then the account's.
func LookupStage(rules []StageRule, account, policyID string) (StageRule, bool) {
	var acct *StageRule
	for i := range rules {
		r := &rules[i]
		if r.Account != account {
			continue
		}
		if r.Policy == policyID && policyID != "" {
			return *r, true
		}
		if r.Policy == "" {
			acct = r
		}
	}
	if acct != nil {
		return *acct, true
	}
	return StageRule{}, false
}

// Apply changes the book by c, at time at, keeping the last keep changes
// in the log. It is pure, for the workflow and its tests.
func (b *StageBook) Apply(c StageChange, at time.Time, keep int) StageRule {
	rule := StageRule{Account: c.Account, Policy: c.Policy, Stage: c.Stage, Reason: c.Reason, By: c.By, At: at}
	b.Rules = slices.DeleteFunc(b.Rules, func(r StageRule) bool {
		if r.Account != c.Account {
			return false
		}
		if c.Policy == "" && c.Stage == StageObserve {
			return true // the account and every policy promoted in it
		}
		return r.Policy == c.Policy
	})
	b.Rules = append(b.Rules, rule)
	slices.SortFunc(b.Rules, func(x, y StageRule) int {
		if x.Account != y.Account {
			return cmp.Compare(x.Account, y.Account)
		}
		return cmp.Compare(x.Policy, y.Policy)
	})
	b.Log = append(b.Log, rule)
	if keep > 0 && len(b.Log) > keep {
		b.Log = b.Log[len(b.Log)-keep:]
	}
	return rule
}
