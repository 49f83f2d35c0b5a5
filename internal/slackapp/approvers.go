package slackapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// defaultApproverTTL is used when the config gives none.
const defaultApproverTTL = 5 * time.Minute

// groupLister is the one Slack method the approver check needs.
type groupLister interface {
	GetUserGroupMembersContext(ctx context.Context, group string, options ...slack.GetUserGroupMembersOption) ([]string, error)
}

// approverSet answers "may this Slack user decide?". Users are matched by
// ID; user groups are resolved with usergroups.users.list and cached for
// ttl, so a burst of clicks costs one call per group, and someone removed
// from a group loses the right within ttl. A group that cannot be resolved
// is not trusted from an older answer: the check fails closed.
type approverSet struct {
	users  []string
	groups []string
	ttl    time.Duration
	slack  groupLister
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]groupMembers
}

type groupMembers struct {
	users   []string
	fetched time.Time
}

func newApproverSet(approvers []string, ttl time.Duration, gl groupLister) *approverSet {
	if ttl <= 0 {
		ttl = defaultApproverTTL
	}
	a := &approverSet{ttl: ttl, slack: gl, now: time.Now, cache: map[string]groupMembers{}}
	for _, id := range approvers {
		switch {
		case IsGroupID(id):
			a.groups = append(a.groups, id)
		case IsUserID(id):
			a.users = append(a.users, id)
		}
	}
	return a
}

func (a *approverSet) empty() bool { return len(a.users) == 0 && len(a.groups) == 0 }

// check reports whether user may decide, and via which entry (the user's
// own ID or a group ID). err is set only when no entry allowed the user
// and some group could not be resolved.
func (a *approverSet) check(ctx context.Context, user string) (via string, ok bool, err error) {
	if user == "" {
		return "", false, nil
	}
	if slices.Contains(a.users, user) {
		return user, true, nil
	}
	var errs []error
	for _, g := range a.groups {
		members, err := a.members(ctx, g)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if slices.Contains(members, user) {
			return g, true, nil
		}
	}
	return "", false, errors.Join(errs...)
}

func (a *approverSet) members(ctx context.Context, group string) ([]string, error) {
	a.mu.Lock()
	e, ok := a.cache[group]
	a.mu.Unlock()
	if ok && a.now().Sub(e.fetched) < a.ttl {
		return e.users, nil
	}
	// Fetched without the lock: a slow Slack must not hold up clicks that
	// other groups, or the cache, can answer.
	users, err := a.slack.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	a.mu.Lock()
	a.cache[group] = groupMembers{users: users, fetched: a.now()}
	a.mu.Unlock()
	return users, nil
}
