package main

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/starter"
)

func newDLQCmd(g *globalFlags) *cobra.Command {
	var dlqURL string
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Inspect and redrive the dead-letter queue",
		Long: "Messages the starter cannot parse stay on the event queue until its redrive policy moves\n" +
			"them to the dead-letter queue. 'inspect' lists them with today's parse error; after a fix\n" +
			"(a new rectify version, or a corrected producer), 'redrive' sends them back.",
	}
	cmd.PersistentFlags().StringVar(&dlqURL, "dlq", "", "dead-letter queue URL (default queue.dlq_url)")
	queues := func(cfg config.Config) (string, error) {
		if dlqURL != "" {
			return dlqURL, nil
		}
		if cfg.Queue.DLQURL == "" {
			return "", errors.New("dlq: no dead-letter queue: give --dlq or queue.dlq_url (RECTIFY_DLQ_URL)")
		}
		return cfg.Queue.DLQURL, nil
	}
	var max int
	inspect := &cobra.Command{
		Use:   "inspect",
		Short: "List dead-letter messages with their parse error, one JSON line each (nothing is consumed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := g.load()
			if err != nil {
				return err
			}
			url, err := queues(cfg)
			if err != nil {
				return err
			}
			f, err := awsclient.New(cmd.Context(), awsclient.Options{Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint})
			if err != nil {
				return err
			}
			msgs, err := starter.InspectDLQ(cmd.Context(), f.SQS(), url, max)
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, m := range msgs {
				if err := enc.Encode(m); err != nil {
					return err
				}
			}
			return err
		},
	}
	inspect.Flags().IntVar(&max, "max", 100, "at most this many messages")
	var onlyParseable bool
	redrive := &cobra.Command{
		Use:   "redrive",
		Short: "Move dead-letter messages back to the event queue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := g.load()
			if err != nil {
				return err
			}
			url, err := queues(cfg)
			if err != nil {
				return err
			}
			if cfg.Queue.URL == "" {
				return errors.New("dlq redrive: no event queue to send to: set queue.url (RECTIFY_QUEUE_URL)")
			}
			f, err := awsclient.New(cmd.Context(), awsclient.Options{Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint})
			if err != nil {
				return err
			}
			res, err := starter.Redrive(cmd.Context(), f.SQS(), url, cfg.Queue.URL, onlyParseable)
			if jerr := json.NewEncoder(cmd.OutOrStdout()).Encode(res); jerr != nil {
				return jerr
			}
			return err
		},
	}
	redrive.Flags().BoolVar(&onlyParseable, "only-parseable", true, "leave messages that still do not parse on the dead-letter queue")
	cmd.AddCommand(inspect, redrive)
	return cmd
}
