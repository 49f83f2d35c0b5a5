package contract

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Settings read both the integer nanoseconds of histories recorded before
// readable durations and the strings written since, and write strings.
func TestSettingsJSONDurations(t *testing.T) {
	want := Settings{
		Mode: ModeApprove, ApprovalTimeout: 24 * time.Hour, TimeoutAction: TimeoutReject, WatchWindow: time.Hour,
		MaxRemediations: 3, Approvers: []string{"alice"}, Reminders: []time.Duration{time.Hour, 4 * time.Hour},
		EscalateBefore: time.Hour, UndoWindow: 24 * time.Hour, ExemptFor: 7 * 24 * time.Hour, RejectSnooze: 7 * 24 * time.Hour,
		Stage: StageObserve, StageFrom: "default", PromotedMode: ModeApprove,
	}
	for _, tc := range []struct {
		name, json string
	}{
		{"recorded before: integers", `{"mode":"approve","approval_timeout":86400000000000,"timeout_action":"reject","watch_window":3600000000000,` +
			`"max_remediations":3,"approvers":["alice"],"reminders":[3600000000000,14400000000000],"escalate_before":3600000000000,` +
			`"undo_window":86400000000000,"exempt_for":604800000000000,"reject_snooze":604800000000000,"stage":"observe","stage_from":"default","promoted_mode":"approve"}`},
		{"strings", `{"mode":"approve","approval_timeout":"24h0m0s","timeout_action":"reject","watch_window":"1h","max_remediations":3,` +
			`"approvers":["alice"],"reminders":["1h","4h0m0s"],"escalate_before":"1h","undo_window":"24h","exempt_for":"168h",` +
			`"reject_snooze":"168h","stage":"observe","stage_from":"default","promoted_mode":"approve"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Settings
			if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(want)
			if string(a) != string(b) {
				t.Errorf("decoded %s\nwant    %s", a, b)
			}
		})
	}
	out, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"approval_timeout":"24h0m0s"`, `"reminders":["1h0m0s","4h0m0s"]`, `"reject_snooze":"168h0m0s"`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("encoded %s lacks %s", out, s)
		}
	}
	// Zero optional durations stay out, as before.
	out, _ = json.Marshal(Settings{Mode: ModeEnforce})
	if strings.Contains(string(out), "reject_snooze") || strings.Contains(string(out), "escalate_before") || strings.Contains(string(out), "reminders") {
		t.Errorf("zero settings encode optional fields: %s", out)
	}
	var bad Settings
	if err := json.Unmarshal([]byte(`{"approval_timeout":"soon"}`), &bad); err == nil || !strings.Contains(err.Error(), `"soon"`) {
		t.Errorf("bad duration: err = %v", err)
	}
}

func TestStageBook(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	const a, b, p, q = "111111111111", "222222222222", "aws.p", "aws.q"
	var book StageBook
	book.Apply(StageChange{Account: a, Stage: StageActive, By: "alice", Reason: "reviewed"}, at, 3)
	book.Apply(StageChange{Account: a, Policy: p, Stage: StageObserve, By: "bob"}, at, 3)
	book.Apply(StageChange{Account: b, Policy: q, Stage: StageActive, By: "bob"}, at, 3)

	for _, tc := range []struct {
		account, policy string
		want            Stage
		found           bool
	}{
		{a, q, StageActive, true},  // the account's rule
		{a, p, StageObserve, true}, // the policy's own overrides it
		{a, "", StageActive, true}, // the account
		{b, q, StageActive, true},  // a policy promoted alone
		{b, p, "", false},          // nothing else in b
		{"333333333333", p, "", false},
	} {
		r, ok := LookupStage(book.Rules, tc.account, tc.policy)
		if ok != tc.found || r.Stage != tc.want {
			t.Errorf("LookupStage(%s, %s) = %v, %v; want %v, %v", tc.account, tc.policy, r.Stage, ok, tc.want, tc.found)
		}
	}
	// Demoting a whole account drops what was promoted in it, and only there.
	book.Apply(StageChange{Account: a, Policy: q, Stage: StageActive, By: "bob"}, at, 3)
	book.Apply(StageChange{Account: a, Stage: StageObserve, By: "carol", Reason: "incident"}, at, 3)
	if r, _ := LookupStage(book.Rules, a, q); r.Stage != StageObserve || r.By != "carol" {
		t.Errorf("after demote, %s in %s = %+v", q, a, r)
	}
	if r, _ := LookupStage(book.Rules, b, q); r.Stage != StageActive {
		t.Errorf("demoting %s changed %s: %+v", a, b, r)
	}
	if len(book.Log) != 3 || book.Log[2].By != "carol" {
		t.Errorf("log keeps the last 3 changes, newest last: %+v", book.Log)
	}
	if !strings.Contains(book.Log[2].Describe(), "account "+a+" is observe (set by carol at 2026-11-01T09:00:00Z)") {
		t.Errorf("describe = %q", book.Log[2].Describe())
	}
}

func TestParseStage(t *testing.T) {
	if s, err := ParseStage("active"); err != nil || s != StageActive {
		t.Errorf("active: %v %v", s, err)
	}
	if _, err := ParseStage("enforce"); err == nil || !strings.Contains(err.Error(), "observe or active") {
		t.Errorf("enforce: err = %v", err)
	}
}
