package activities

import "github.com/rectifyhq/rectify/internal/exempt"

// Exemption says why a violation must not be remediated; the tag form is
// read by package exempt, shared with `rectify check`.
type Exemption = exempt.Exemption

// Exemption tags, as humans write them on resources.
const (
	TagExempt      = exempt.TagExempt
	TagExemptUntil = exempt.TagExemptUntil
)
