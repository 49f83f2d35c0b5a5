// Package contract is what crosses the boundary of rectify's workflows:
// their names and IDs, the search attributes the Temporal UI lists them by,
// the signals, updates and queries other processes send, the inputs and
// results, the states of a violation, and the per-violation settings with
// their typed modes. The starter, the Slack endpoint and the CLI import it
// instead of package workflows, whose state machines import the
// activities; a reader learns what rectify accepts without reading how it
// decides.
package contract
