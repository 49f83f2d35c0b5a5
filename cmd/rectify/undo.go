package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/contract"
)

func newUndoCmd(g *globalFlags) *cobra.Command {
	var user, reason string
	cmd := &cobra.Command{
		Use:   "undo WORKFLOW-ID --as USER [--reason R]",
		Short: "Undo a remediation within its undo window",
		Long: "Send the undo Update to a Remediation workflow: it restores the snapshot taken before the\n" +
			"fix, verifies the old state is back, tags the resource rectify:exempt for the policy (with\n" +
			"rectify:exempt-until, default 7 days) and records the finding SUPPRESSED with who and why.\n\n" +
			"Example:\n  rectify undo 'remediation/aws.ec2.sg_public_admin_ports/arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc' --as alice --reason 'bastion host'",
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
			res, err := contract.Undo(cmd.Context(), tc, args[0], "", contract.UndoRequest{User: user, Reason: reason})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
		},
	}
	cmd.Flags().StringVar(&user, "as", "", "the user undoing, as listed in approvers (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded in the finding")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
