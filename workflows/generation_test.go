package workflows_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

// A run started for a code generation takes the changes of that generation
// as given: it asks GetVersion nothing (each answer costs a marker and a
// search-attribute upsert), and an Evaluate pass hands passing verdicts on
// from its read, so a pass that finds nothing to start runs no Dispatch.
// A run without a generation (recorded before there were any) asks as
// before and dispatches as before; so does a generation-1 pass whose read
// ran on a worker too old to hand verdicts on (a rolling upgrade).
func TestEvaluateGeneration(t *testing.T) {
	verdict := activities.EvaluateResourceOutput{
		Exists: true, Name: "web", Passing: []string{passingPolicy},
		Violations: []contract.Violation{violation(enforce(time.Hour, 3))},
	}
	benign := activities.EvaluateResourceOutput{Exists: true, Name: "web", Passing: []string{policyID, passingPolicy}}
	for _, tc := range []struct {
		name       string
		generation int
		oldReader  bool // the read runs on a worker older than HandOn
		verdict    activities.EvaluateResourceOutput

		wantAsked      []string // GetVersion change ids
		wantHandOn     bool
		wantDispatches int
		wantSignals    int // passing verdicts in the Dispatch
	}{
		{name: "benign, generation 1", generation: contract.Generation, verdict: benign,
			wantHandOn: true, wantDispatches: 0},
		{name: "violation, generation 1", generation: contract.Generation, verdict: verdict,
			wantHandOn: true, wantDispatches: 1, wantSignals: 0},
		{name: "benign, generation 1, read by an older worker", generation: contract.Generation, oldReader: true, verdict: benign,
			wantHandOn: true, wantDispatches: 1, wantSignals: 2},
		{name: "benign, no generation", verdict: benign,
			wantAsked: []string{"settle-until-quiet"}, wantDispatches: 1, wantSignals: 2},
		{name: "violation, no generation", verdict: verdict,
			wantAsked: []string{"settle-until-quiet"}, wantDispatches: 1, wantSignals: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env.SetStartWorkflowOptions(clientOptions(contract.EvaluateID(sg.ARN)))
			h.at(time.Millisecond, func() { h.env.SignalWorkflow(contract.SignalChanged, change(1)) })
			h.evaluateOut = func(int) activities.EvaluateResourceOutput { return tc.verdict }
			h.oldReader = tc.oldReader
			h.evaluate(contract.EvaluateInput{Ref: sg, Settle: time.Second, StartedWithAttributes: true, Generation: tc.generation})

			if !slices.Equal(h.versions, tc.wantAsked) {
				t.Errorf("GetVersion asked for %v, want %v", h.versions, tc.wantAsked)
			}
			if len(h.evaluates) != 1 {
				t.Fatalf("%d EvaluateResource calls, want 1", len(h.evaluates))
			}
			hand := h.evaluates[0].HandOn
			if (hand != nil) != tc.wantHandOn {
				t.Fatalf("EvaluateResource HandOn = %+v, want set: %v", hand, tc.wantHandOn)
			}
			if hand != nil && (hand.Key == "" || hand.Violating || hand.Change.EventID != "e1") {
				t.Errorf("HandOn = %+v, want a keyed passing recheck carrying change e1", hand)
			}
			if len(h.dispatches) != tc.wantDispatches {
				t.Fatalf("%d dispatches, want %d", len(h.dispatches), tc.wantDispatches)
			}
			if tc.wantDispatches == 0 {
				return
			}
			d := h.dispatches[0]
			if len(d.Signals) != tc.wantSignals {
				t.Errorf("dispatch carries %d passing verdicts, want %d", len(d.Signals), tc.wantSignals)
			}
			for _, s := range d.Starts {
				if in := jsonAs[contract.RemediationInput](t, s.Input); in.Generation != contract.Generation {
					t.Errorf("start of %s has generation %d, want %d", s.WorkflowID, in.Generation, contract.Generation)
				}
			}
			if hand != nil && len(d.Starts) > 0 && jsonAs[contract.Recheck](t, d.Starts[0].SignalArg).Key != hand.Key {
				t.Errorf("one pass used two keys: %q and %q", hand.Key, jsonAs[contract.Recheck](t, d.Starts[0].SignalArg).Key)
			}
		})
	}
}

// A Remediation of generation 1 runs as version 6 (findings queued) of
// record-new-beside-fix without asking; one without a generation asks.
func TestRemediationGeneration(t *testing.T) {
	for _, tc := range []struct {
		generation int
		wantAsked  []string
	}{
		{generation: contract.Generation},
		{generation: 0, wantAsked: []string{"record-new-beside-fix"}},
	} {
		h := newHarness(t)
		in := remediationInput(violation(enforce(time.Hour, 3)))
		in.Generation = tc.generation
		res := h.remediate(in)
		if res.State != contract.StateResolved {
			t.Errorf("generation %d: state %s, want Resolved", tc.generation, res.State)
		}
		if !slices.Equal(h.versions, tc.wantAsked) {
			t.Errorf("generation %d: GetVersion asked for %v, want %v", tc.generation, h.versions, tc.wantAsked)
		}
		// Both run the newest behaviour: the NEW finding beside the fix,
		// each state before its finding, an audit record per state.
		checkStates(t, h, contract.StateNew, contract.StateRemediating, contract.StateResolved)
		checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
	}
}
