package activities

import (
	"context"

	"github.com/rectifyhq/rectify/internal/resource"
)

// reader is how the worker reads one resource type live (evaluation and
// verification) and lists it (sweeps).
type reader struct {
	typ   string
	fetch func(*Activities, context.Context, resource.Ref) (resource.Resource, bool, error)
	list  func(*Activities, context.Context, ListInput) (ListOutput, error)
}

// readers is the one list of supported resource types, in the order a
// sweep lists them. LiveTypes and ListTypes derive from it, so a type
// cannot be readable without being listable or the other way round.
var readers = []reader{
	{resource.TypeSecurityGroup, (*Activities).fetchSecurityGroup, (*Activities).listSecurityGroups},
	{resource.TypeS3Bucket, (*Activities).fetchBucket, (*Activities).listBuckets},
	{resource.TypeKMSKey, (*Activities).fetchKMSKey, (*Activities).listKMSKeys},
	{resource.TypeCloudTrail, (*Activities).fetchTrail, (*Activities).listTrails},
	{resource.TypeDBInstance, (*Activities).fetchDBInstance, (*Activities).listDBInstances},
	{resource.TypeEBSEncryptionByDefault, (*Activities).fetchEBSEncryptionByDefault, (*Activities).listEBSEncryptionByDefault},
	{resource.TypeIAMUser, (*Activities).fetchIAMPrincipal, (*Activities).listIAMPrincipals},
	{resource.TypeIAMRole, (*Activities).fetchIAMPrincipal, (*Activities).listIAMPrincipals},
	{resource.TypeIAMGroup, (*Activities).fetchIAMPrincipal, (*Activities).listIAMPrincipals},
}

// LiveTypes are the resource types the worker can read live; events for
// other types are counted and ignored by the starter.
var LiveTypes = readerTypes()

// ListTypes are the resource types a sweep lists: every live type.
var ListTypes = LiveTypes

func readerTypes() []string {
	types := make([]string, len(readers))
	for i, r := range readers {
		types[i] = r.typ
	}
	return types
}

func readerFor(typ string) (reader, bool) {
	for _, r := range readers {
		if r.typ == typ {
			return r, true
		}
	}
	return reader{}, false
}
