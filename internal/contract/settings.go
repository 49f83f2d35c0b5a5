package contract

import (
	"fmt"
	"slices"
)

// Mode is how a policy acts on a violation.
type Mode string

// Modes a policy can run in.
const (
	ModeEnforce Mode = "enforce" // fix at once
	ModeApprove Mode = "approve" // ask, then fix what a human approved
	ModeNotify  Mode = "notify"  // tell and record what would be done
	ModeOff     Mode = "off"     // not evaluated into violations
)

// Modes lists every mode, for help texts and validation.
var Modes = []Mode{ModeEnforce, ModeApprove, ModeNotify, ModeOff}

// ParseMode reads a mode as the config and METADATA write it.
func ParseMode(s string) (Mode, error) {
	if m := Mode(s); slices.Contains(Modes, m) {
		return m, nil
	}
	return "", fmt.Errorf("%q: want enforce, approve, notify or off", s)
}

// TimeoutAction is what happens when an approval times out.
type TimeoutAction string

// Actions at the end of an approval timeout. Skip is another name for
// reject: leave the violation unremediated.
const (
	TimeoutReject    TimeoutAction = "reject"
	TimeoutSkip      TimeoutAction = "skip"
	TimeoutRemediate TimeoutAction = "remediate"
	TimeoutEscalate  TimeoutAction = "escalate"
)

// TimeoutActions lists every timeout action, for validation.
var TimeoutActions = []TimeoutAction{TimeoutReject, TimeoutSkip, TimeoutRemediate, TimeoutEscalate}

// ParseTimeoutAction reads a timeout action as the config writes it.
func ParseTimeoutAction(s string) (TimeoutAction, error) {
	if a := TimeoutAction(s); slices.Contains(TimeoutActions, a) {
		return a, nil
	}
	return "", fmt.Errorf("%q: want reject, skip, remediate or escalate", s)
}
