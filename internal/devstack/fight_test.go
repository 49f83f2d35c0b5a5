package devstack

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

// TestFastFight: a person re-opens SSH within a second or so of rectify
// revoking it, while the RESOLVED finding is still waiting for its Security
// Hub batch. Each re-open must be fixed again (the recheck used to be
// dropped because the watch had not begun, leaving the port open under
// state Resolved), and the flap budget must trip on a fast fight too.
func TestFastFight(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		c.Defaults.MaxRemediations = 3
		// A batch window longer than the fight: every re-open lands while
		// a finding write is in flight.
		c.AWS.FindingsBatchDelay = config.Duration(1500 * time.Millisecond)
	})
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	revokes := func() int { return s.events.count("RevokeSecurityGroupIngress", RemediationRoleName) }

	s.openSSH(ctx)
	for i, delay := range []time.Duration{300 * time.Millisecond, 1300 * time.Millisecond} {
		n := i + 1
		waitFor(t, "revoke", func() bool { return revokes() == n })
		time.Sleep(delay)
		s.openSSH(ctx) // the fight: open again right after the fix
	}
	waitFor(t, "third revoke", func() bool { return revokes() == 3 })
	st := s.waitState(id, contract.StateResolved)
	if st.Remediations != 3 {
		t.Errorf("remediations = %d, want 3: each re-open fixed once", st.Remediations)
	}
	if s.sshOpen(ctx) {
		t.Fatal("tcp/22 is open while the violation says Resolved")
	}

	// The budget is spent: one more re-open is escalated, not fought.
	s.openSSH(ctx)
	st = s.waitState(id, contract.StateEscalated)
	if st.Remediations != 3 || revokes() != 3 {
		t.Errorf("remediations = %d, revokes = %d after escalation, want 3 and 3", st.Remediations, revokes())
	}
	if !s.sshOpen(ctx) {
		t.Error("rectify kept fighting after escalating")
	}
	saveHistory(t, id, "remediation-fight")
}
