package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/fakecloud"
)

func newFakecloudCmd() *cobra.Command {
	var addr, seed, eventQueue, trailLog string
	var faults []string
	cmd := &cobra.Command{
		Use:   "fakecloud",
		Short: "Serve the fake cloud: a wire-compatible AWS (EC2, S3, IAM, RDS, KMS, CloudTrail, SQS, STS, Security Hub, Config) on loopback",
		Long: "Serve rectify's fake cloud. Point any AWS SDK at it with AWS_ENDPOINT_URL (path-style S3)\n" +
			"and the printed credentials. State is in memory. Every mutating call is written as a\n" +
			"CloudTrail event (EventBridge envelope) onto the event queue, if one is set.\n\n" +
			"Faults: --fault SERVICE:ACTION:key=value,... with keys code, status, rate, count, latency, for\n" +
			"(for=2m ends the fault two minutes after start).",
		Example: "  rectify fakecloud --addr 127.0.0.1:4566\n" +
			"  rectify fakecloud --seed demo.yaml --event-queue rectify-events\n" +
			"  rectify fakecloud --fault 'ec2:RevokeSecurityGroupIngress:code=RequestLimitExceeded,rate=0.5' --fault 's3:*:latency=200ms'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cloud := fakecloud.New(fakecloud.Options{})
			for _, s := range faults {
				f, err := fakecloud.ParseFault(s)
				if err != nil {
					return fmt.Errorf("--fault: %w", err)
				}
				if err := cloud.InjectFault(f); err != nil {
					return fmt.Errorf("--fault: %w", err)
				}
			}
			if seed != "" {
				s, err := fakecloud.LoadSeedFile(seed)
				if err != nil {
					return err
				}
				if err := cloud.Apply(s); err != nil {
					return fmt.Errorf("seed %s: %w", seed, err)
				}
			}
			if trailLog != "" {
				closeLog, err := writeTrailLog(cloud, trailLog)
				if err != nil {
					return err
				}
				defer closeLog()
			}
			endpoint, err := cloud.Start(addr)
			if err != nil {
				return err
			}
			defer cloud.Close()
			if eventQueue != "" {
				u, err := cloud.CreateQueue(fakecloud.QueueSeed{Account: fakecloud.DefaultAccount, Region: fakecloud.DefaultRegion, Name: eventQueue})
				if err != nil {
					return fmt.Errorf("--event-queue %s: %w", eventQueue, err)
				}
				cloud.SetEventQueue(u, nil)
			}
			host, _ := url.Parse(endpoint)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "fake cloud serving on %s\n\n", endpoint)
			fmt.Fprintf(out, "  export AWS_ENDPOINT_URL=%s\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n  export AWS_REGION=%s\n\n",
				endpoint, fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, fakecloud.DefaultRegion)
			if eventQueue != "" {
				fmt.Fprintf(out, "CloudTrail events go to http://%s/%s/%s\n", host.Host, fakecloud.DefaultAccount, eventQueue)
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4566", "listen address")
	cmd.Flags().StringVar(&seed, "seed", "", "seed file (YAML or JSON): accounts, users, roles, queues, security groups, buckets, IAM principals, DB instances, KMS keys, trails")
	cmd.Flags().StringVar(&eventQueue, "event-queue", "", "create this SQS queue in the default account and deliver CloudTrail events to it")
	cmd.Flags().StringArrayVar(&faults, "fault", nil, "inject a fault (repeatable)")
	cmd.Flags().StringVar(&trailLog, "trail-log", "", "append every CloudTrail event (of every service, rectify's own calls included) to this file, one JSON object per line")
	return cmd
}

// writeTrailLog appends every CloudTrail event the cloud writes to path,
// one per line: the record a test in another process reads to count
// what was done to the cloud, and by whom.
func writeTrailLog(cloud *fakecloud.Cloud, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--trail-log: %w", err)
	}
	var mu sync.Mutex
	cloud.OnEvent(func(event []byte) {
		mu.Lock()
		defer mu.Unlock()
		if _, err := f.Write(append(event, '\n')); err != nil {
			slog.Error("write trail log", "file", path, "err", err)
		}
	})
	return func() { _ = f.Close() }, nil
}
