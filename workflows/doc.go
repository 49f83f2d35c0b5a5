// Package workflows holds rectify's Temporal workflows: Evaluate (one per
// resource), Remediation (one per policy and resource) and Sweep (one per
// account and region). They are deterministic: every side effect happens in
// package activities. What callers need to start, signal, update and query
// them is in package internal/contract, which does not import this one, so event
// sources and the CLI stay free of the activities.
package workflows
