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
	// Preview evaluates every resource without starting anything: the
	// result lists what a sweep would change (`rectify sweep trigger
	// --preview`), and nothing is changed, started or recorded.
	Preview bool `json:"preview,omitempty"`
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
	// Preview lists the violations a preview found, up to MaxPreviewItems;
	// PreviewDropped counts the rest.
	Preview        []PreviewItem `json:"preview,omitempty"`
	PreviewDropped int           `json:"preview_dropped,omitempty"`
}

// MaxPreviewItems bounds a preview's result, which is one workflow
// payload (2 MB at most; an item is well under 1 KB).
const MaxPreviewItems = 1000

// PreviewItem is one violation a sweep would act on, and how.
type PreviewItem struct {
	ARN      string `json:"arn"`
	Type     string `json:"type"`
	PolicyID string `json:"policy_id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Mode is what would happen now (notify in the observe stage), and
	// PromotedMode what would once the account is promoted.
	Mode         Mode   `json:"mode"`
	Stage        Stage  `json:"stage,omitempty"`
	PromotedMode Mode   `json:"promoted_mode,omitempty"`
	Action       string `json:"action"`
	// Outcome says it in words: "would fix: ...", "would ask approval
	// to ...", "would notify only", "exempt: ...".
	Outcome string `json:"outcome"`
	// Changes is true when a sweep would change the resource without a
	// person deciding (enforce mode, active stage, not exempt).
	Changes bool `json:"changes"`
}

// MemoProgress is the memo key of SweepProgress.
const MemoProgress = "progress"
