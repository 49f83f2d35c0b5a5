// Package chaos is rectify's process-level fault suite: the Temporal dev
// server (with a file database), the fake cloud, the worker and the starter
// each run as their own OS process, built from cmd/rectify, and the suite
// kills, restarts and starves them while a human makes violations through
// the AWS SDK. It checks what a production incident would: nothing lost,
// nothing done twice, and what was snapshotted is what was there.
//
// The tests carry the build tag chaos, so `go test ./...` does not run them
// twice; `make chaos` (called by `make test`) does:
//
//	go test -tags chaos -count=1 -v ./internal/chaos/
//
// Every scenario prints its figures (violations, kills, applies, time to
// settle) and fails when one falls short of its bar.
package chaos
