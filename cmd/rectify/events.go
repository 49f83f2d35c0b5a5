package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/events"
)

// maxEventInput bounds what one file may expand to. A day of CloudTrail for a
// busy account fits; a gzip bomb does not.
const maxEventInput = 256 << 20

func newEventsCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Inspect the change events rectify reacts to",
		Long: "Inspect the change events rectify reacts to.\n\n" +
			"The starter turns each message from its queue into triggers: the resources\n" +
			"to evaluate again. These commands show that step on files, so you can check\n" +
			"what an event will do before it reaches a workflow.",
	}
	cmd.AddCommand(newEventsParseCmd(g))
	return cmd
}

func newEventsParseCmd(g *globalFlags) *cobra.Command {
	var roles []string
	cmd := &cobra.Command{
		Use:   "parse FILE...",
		Short: "Print the triggers in change events (CloudTrail, Config, Security Hub), one JSON line each",
		Long: "Parse the messages rectify's queue carries and print one JSON line per trigger:\n" +
			"the resource to evaluate again, who changed it and when, or why it is ignored.\n\n" +
			"A FILE holds one message body, as SQS delivers it:\n" +
			"  - an EventBridge event: \"AWS API Call via CloudTrail\", \"Config Configuration\n" +
			"    Item Change\" (other \"Config ...\" types are ignored) or \"Security Hub\n" +
			"    Findings - Imported\" (one trigger per resource of each finding);\n" +
			"  - an SNS notification {\"Type\":\"Notification\",\"Message\":...} around any of\n" +
			"    these (Message as a JSON string or an object);\n" +
			"  - an AWS Config notification as raw SNS delivery leaves it:\n" +
			"    ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification\n" +
			"    (the trigger carries \"oversized\": where the full item is in S3), or another\n" +
			"    messageType (ignored);\n" +
			"  - a raw CloudTrail record, or a CloudTrail log file {\"Records\":[...]}, plain or\n" +
			"    gzipped as CloudTrail delivers it to S3.\n" +
			"Use - for standard input.\n\n" +
			"Events made by a remediation role (remediation_roles: in the config given with\n" +
			"--config, and --remediation-role, repeatable, '*' matches anything) are ignored,\n" +
			"as the starter ignores them, so rectify does not react to its own fixes. A role\n" +
			"pattern also matches the role's assumed-role sessions.\n" +
			"Security Hub findings rectify wrote itself (GeneratorId rectify/...), and findings\n" +
			"that passed, were archived, resolved or suppressed, are ignored too. Config and\n" +
			"Security Hub name no actor, so actor_arn is empty for them.\n\n" +
			"A file that cannot be parsed is reported with its name; the other files are\n" +
			"still parsed, and the command then exits with status 2.",
		Example: "  rectify events parse event.json\n" +
			"  rectify events parse --remediation-role 'arn:aws:iam::*:role/rectify-remediation' \\\n" +
			"      123456789012_CloudTrail_us-east-1_20250304T1015Z_abc.json.gz\n" +
			"  aws sqs receive-message --queue-url $Q --query 'Messages[0].Body' --output text \\\n" +
			"      | rectify events parse -\n" +
			"  rectify events parse config-notification.json securityhub-imported.json",
		Args: cobra.MinimumNArgs(1),
		// A file that fails to parse is not a usage mistake.
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, files []string) error {
			cfg, _, err := g.load()
			if err != nil {
				return err
			}
			// The starter's filter: the config's roles, and the flag's.
			filter := events.Filter{RemediationRoles: append(slices.Clone(cfg.RemediationRoles), roles...)}
			out := bufio.NewWriter(cmd.OutOrStdout())
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false) // ARNs and reasons stay readable
			var failed []error
			for _, name := range files {
				ts, err := parseEventFile(cmd.InOrStdin(), name)
				if err != nil {
					failed = append(failed, fmt.Errorf("events parse: %s: %w", name, err))
					continue
				}
				for _, t := range filter.Apply(ts) {
					if err := enc.Encode(t); err != nil {
						return fmt.Errorf("events parse: write: %w", err)
					}
				}
			}
			if err := out.Flush(); err != nil {
				return fmt.Errorf("events parse: write: %w", err)
			}
			if len(failed) > 0 {
				return &exitError{code: 2, err: errors.Join(failed...)}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&roles, "remediation-role", nil,
		"ARN pattern of a remediation role whose changes are ignored (repeatable)")
	return cmd
}

func parseEventFile(stdin io.Reader, name string) ([]events.Trigger, error) {
	body, err := readEventFile(stdin, name)
	if err != nil {
		return nil, err
	}
	return events.Parse(body)
}

// readEventFile reads a file, or stdin for "-", unzipping it when it starts
// with the gzip magic number.
func readEventFile(stdin io.Reader, name string) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, pathErr(err)
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	body, err := io.ReadAll(io.LimitReader(r, maxEventInput+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", pathErr(err))
	}
	if len(body) > maxEventInput {
		return nil, fmt.Errorf("larger than %d MiB", maxEventInput>>20)
	}
	return body, nil
}

// pathErr drops the path from an *fs.PathError: the caller names the file
// already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
