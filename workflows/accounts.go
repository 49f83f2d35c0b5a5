package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

// accountsLogSize is how many stage changes the book keeps in its log; the
// history holds every one.
const accountsLogSize = 200

// Accounts holds the stages people set with `rectify accounts promote|demote`
// (ID contract.AccountsID(task queue)). It runs for ever: each change is an
// Update (who, when, why: auditable in its history), each read a Query,
// which the activities that resolve a violation's settings make and cache.
// It continues as new when its history grows, carrying the book.
func Accounts(ctx workflow.Context, in contract.AccountsInput) (contract.StageBook, error) {
	book := in.Book
	if err := workflow.SetQueryHandler(ctx, contract.QueryStages, func() (contract.StageBook, error) {
		return book, nil
	}); err != nil {
		return book, fmt.Errorf("register query: %w", err)
	}
	set := func(ctx workflow.Context, c contract.StageChange) (contract.StageBook, error) {
		rule := book.Apply(c, workflow.Now(ctx), accountsLogSize)
		workflow.GetLogger(ctx).Info("stage set", "account", rule.Account, "policy", rule.Policy, "stage", rule.Stage, "by", rule.By, "reason", rule.Reason)
		workflow.SetCurrentDetails(ctx, stagesText(book))
		return book, nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdateSetStage, set,
		workflow.UpdateHandlerOptions{Validator: validateStageChange}); err != nil {
		return book, fmt.Errorf("register update: %w", err)
	}
	workflow.SetCurrentDetails(ctx, stagesText(book))
	if err := workflow.Await(ctx, func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }); err != nil {
		return book, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return book, err
	}
	return book, workflow.NewContinueAsNewError(ctx, Accounts, contract.AccountsInput{Book: book})
}

// validateStageChange refuses a change that names no person, no valid
// account or no valid stage. Whether the policy exists is the CLI's check,
// against the policies it loads: the workflow holds no policy set.
func validateStageChange(_ workflow.Context, c contract.StageChange) error {
	switch {
	case c.By == "":
		return refuse(contract.ErrNotApprover, "a stage change needs the person making it (--as)")
	case !resource.IsAccountID(c.Account):
		return refuse(errInvalidStage, "%q is not a 12-digit account id", c.Account)
	}
	if _, err := contract.ParseStage(string(c.Stage)); err != nil {
		return refuse(errInvalidStage, "stage %v", err)
	}
	return nil
}

// errInvalidStage is the error type of a refused stage change.
const errInvalidStage = "InvalidStage"

// stagesText is the Accounts workflow's current details: the book.
func stagesText(b contract.StageBook) string {
	if len(b.Rules) == 0 {
		return "No account promoted: every account is in its configured default stage (observe unless `stage:` says otherwise)."
	}
	text := "| account | policy | stage | set by | at | reason |\n|---|---|---|---|---|---|\n"
	for _, r := range b.Rules {
		policy := r.Policy
		if policy == "" {
			policy = "(all)"
		}
		text += fmt.Sprintf("| %s | %s | **%s** | %s | %s | %s |\n", r.Account, policy, r.Stage, r.By, r.At.UTC().Format("2006-01-02 15:04:05Z"), r.Reason)
	}
	return text
}
