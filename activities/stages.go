package activities

import (
	"context"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

// DefaultStageTTL is how long a worker keeps the stages it read from the
// Accounts workflow: a promotion or demotion reaches every worker within
// it, and an evaluation costs no query most of the time.
const DefaultStageTTL = 5 * time.Second

// stageCache holds the last book read from the Accounts workflow.
type stageCache struct {
	mu    sync.Mutex
	at    time.Time
	rules []contract.StageRule
}

// stageRules are the stages people set with `rectify accounts`, read from
// the Accounts workflow of the worker's task queue and cached for
// StageTTL. An error is returned, not guessed around: a violation must not
// be fixed in an account a person demoted because the book could not be
// read, so the activity fails and is retried.
func (a *Activities) stageRules(ctx context.Context) ([]contract.StageRule, error) {
	if a.Temporal == nil || a.TaskQueue == "" {
		return nil, nil
	}
	ttl := a.StageTTL
	if ttl <= 0 {
		ttl = DefaultStageTTL
	}
	c := &a.stages
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if !c.at.IsZero() && now.Sub(c.at) < ttl {
		return c.rules, nil
	}
	book, err := contract.Stages(ctx, a.Temporal, a.TaskQueue)
	if err != nil {
		return nil, err
	}
	c.rules, c.at = book.Rules, now
	return c.rules, nil
}

// applyStage settles a violation's stage: a stage people set for the
// policy or the account overrides the configuration's, and the observe
// stage makes every mode but off notify, keeping the mode the policy
// would have once promoted.
func applyStage(s contract.Settings, people []contract.StageRule, account, policyID string) contract.Settings {
	if r, ok := contract.LookupStage(people, account, policyID); ok {
		s.Stage = r.Stage
		s.StageFrom = "rectify accounts: " + r.Describe()
		if r.Reason != "" {
			s.StageFrom += ": " + r.Reason
		}
	}
	if s.Stage == contract.StageObserve && s.Mode != contract.ModeOff {
		s.PromotedMode = s.Mode
		s.Mode = contract.ModeNotify
	}
	return s
}
