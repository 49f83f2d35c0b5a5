package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/rectifyhq/rectify/internal/slackapp"
)

// newSlackCmd builds `rectify slack`, the Slack app's setup helpers.
func newSlackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "slack",
		Short: "Set up the Slack app that carries approvals",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSlackManifestCmd())
	return cmd
}

func newSlackManifestCmd() *cobra.Command {
	var baseURL, name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "manifest --url https://HOST",
		Short: "Print a Slack app manifest for rectify",
		Long: "Print a ready Slack app manifest: the bot scopes rectify needs (chat:write to post and\n" +
			"update the violation messages, usergroups:read to resolve approver groups) and\n" +
			"interactivity pointed at <url>" + slackapp.InteractionsPath + " (a --url that already ends in it is kept), served by\n`rectify starter`.\n\n" +
			"Create the app at https://api.slack.com/apps → Create New App → From a manifest, install it,\n" +
			"then give the starter and the worker SLACK_BOT_TOKEN (the Bot User OAuth Token) and\n" +
			"SLACK_SIGNING_SECRET (Basic Information → Signing Secret). Invite the bot to every\n" +
			"channel named in slack.default_channel and slack.routes.\n\n" +
			"Example:\n  rectify slack manifest --url https://rectify.example.com",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := slackapp.NewManifest(baseURL, name)
			if err != nil {
				return fmt.Errorf("--url: %w", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(m)
			}
			enc := yaml.NewEncoder(out)
			enc.SetIndent(2)
			if err := enc.Encode(m); err != nil {
				return fmt.Errorf("encode manifest: %w", err)
			}
			return enc.Close()
		},
	}
	cmd.Flags().StringVar(&baseURL, "url", "", "public https base URL of the starter (required)")
	cmd.Flags().StringVar(&name, "name", "rectify", "app and bot name shown in Slack")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of YAML")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}
