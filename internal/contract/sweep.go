package contract

// SweepWorkflow is the registered name of Sweep.
const SweepWorkflow = "Sweep"

// SweepID is the ID of the schedule, and the prefix of the workflows it
// starts, for one account and region.
func SweepID(account, region string) string { return "sweep/" + account + "/" + region }

// SweepInput is one account and region to sweep.
type SweepInput struct {
	Account string   `json:"account"`
	Region  string   `json:"region"`
	Types   []string `json:"types,omitempty"` // empty: every listable type
	// PagesPerSecond limits the list calls, so a sweep never eats the
	// account's API rate budget that remediations need.
	PagesPerSecond float64 `json:"pages_per_second,omitempty"`
	PageSize       int32   `json:"page_size,omitempty"`
	// Position carries progress across continue-as-new.
	Position *SweepProgress `json:"position,omitempty"`
}

// SweepProgress is where a sweep is and what it did, kept in the memo for
// the Temporal UI and `rectify sweep list`.
type SweepProgress struct {
	TypeIndex int    `json:"type_index"`
	Token     string `json:"token,omitempty"`
	Pages     int    `json:"pages"`
	Listed    int    `json:"listed"`
	// Evaluated counts resources handed to Evaluate; their verdicts show
	// as Remediation workflows (RectifyAccount = the swept account).
	Evaluated int `json:"evaluated"`
}

// MemoProgress is the memo key of SweepProgress.
const MemoProgress = "progress"
