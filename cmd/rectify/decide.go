package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/contract"
)

// newDecideCmd builds `rectify approve` and `rectify reject`.
func newDecideCmd(g *globalFlags, approve bool) *cobra.Command {
	verb := "reject"
	if approve {
		verb = "approve"
	}
	var user, reason string
	var which violationArgs
	long := fmt.Sprintf("Send the decide Update to a Remediation workflow in AwaitingApproval state and print\n"+
		"its result. The workflow refuses users who are not on its approver list.\n\n%s", violationHelp)
	reasonExample := ""
	if !approve {
		reasonExample = " --reason 'public website'"
		long += "\n\nA rejection needs --reason (require_reason: false in the config turns this off). It\n" +
			"snoozes the violation for defaults.reject_snooze (7d): sweeps stop asking, and a real change\n" +
			"of the resource (a CloudTrail or Config event) asks again."
	}
	cmd := &cobra.Command{
		Use:   verb + " " + violationUse + " --as USER",
		Short: fmt.Sprintf("%s a violation awaiting approval", capitalize(verb)),
		Long:  long,
		Example: fmt.Sprintf("  rectify %[1]s aws.s3.public_access_block arn:aws:s3:::data --as alice%[2]s\n"+
			"  rectify %[1]s 'remediation/aws.s3.public_access_block/arn:aws:s3:::data' --as alice%[2]s", verb, reasonExample),
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			if !approve && cfg.ReasonRequired() && strings.TrimSpace(reason) == "" {
				return fmt.Errorf("reject needs --reason: why, for the finding and the audit trail (require_reason: false in the config turns this off)")
			}
			id, err := which.resolve(cmd.Context(), tc, args)
			if err != nil {
				return err
			}
			res, err := contract.Decide(cmd.Context(), tc, id, "", contract.Decision{Approve: approve, User: user, Reason: reason})
			if err != nil {
				return &exitError{code: 1, err: plainError(cmd.Context(), tc, verb, id, err)}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
		},
	}
	cmd.Flags().StringVar(&user, "as", "", "the approving user, as listed in approvers (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded in the finding and the workflow")
	_ = cmd.MarkFlagRequired("as")
	which.register(cmd)
	return g.temporalFlags(cmd)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
