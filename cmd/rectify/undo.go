package main

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/contract"
)

func newUndoCmd(g *globalFlags) *cobra.Command {
	var user, reason string
	var which violationArgs
	cmd := &cobra.Command{
		Use:   "undo " + violationUse + " --as USER --reason WHY",
		Short: "Undo a remediation within its undo window",
		Long: "Send the undo Update to a Remediation workflow: it restores the snapshot taken before the\n" +
			"fix, verifies the old state is back, tags the resource rectify:exempt for the policy (with\n" +
			"rectify:exempt-until, default 7 days) and records the finding SUPPRESSED with who and why.\n" +
			"--reason is required (require_reason: false in the config turns this off).\n\n" + violationHelp,
		Example: "  rectify undo aws.ec2.sg_public_admin_ports arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc --as alice --reason 'bastion host'",
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			if cfg.ReasonRequired() && strings.TrimSpace(reason) == "" {
				return errors.New("undo needs --reason: why, for the finding and the audit trail (require_reason: false in the config turns this off)")
			}
			id, err := which.resolve(cmd.Context(), tc, args)
			if err != nil {
				return err
			}
			res, err := contract.Undo(cmd.Context(), tc, id, "", contract.UndoRequest{User: user, Reason: reason})
			if err != nil {
				return &exitError{code: 1, err: plainError(cmd.Context(), tc, "undo", id, err)}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
		},
	}
	cmd.Flags().StringVar(&user, "as", "", "the user undoing, as listed in approvers (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded in the finding")
	_ = cmd.MarkFlagRequired("as")
	which.register(cmd)
	return g.temporalFlags(cmd)
}
