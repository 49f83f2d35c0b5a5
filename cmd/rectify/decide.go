package main

import (
	"encoding/json"
	"fmt"

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
	cmd := &cobra.Command{
		Use:   verb + " WORKFLOW-ID --as USER",
		Short: fmt.Sprintf("%s a violation awaiting approval", capitalize(verb)),
		Long: fmt.Sprintf("Send the decide Update to a Remediation workflow in AwaitingApproval state and print\n"+
			"its result. The workflow refuses users who are not on its approver list.\n\n"+
			"Example:\n  rectify %s 'remediation/aws.s3.public_access_block/arn:aws:s3:::data' --as alice", verb),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			tc, err := dialTemporal(cfg, log)
			if err != nil {
				return err
			}
			defer tc.Close()
			res, err := contract.Decide(cmd.Context(), tc, args[0], "", contract.Decision{Approve: approve, User: user, Reason: reason})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
		},
	}
	cmd.Flags().StringVar(&user, "as", "", "the approving user, as listed in approvers (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded in the finding and the workflow")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
