package kind

// Call is a set of CloudTrail calls that change a kind, and where their
// records name the resource.
type Call struct {
	// Source is the record's eventSource ("ec2.amazonaws.com").
	Source string
	// Names are the eventNames.
	Names []string
	// IDs are the places in the record that name the resource, in order of
	// preference: dotted paths from the record's top
	// ("requestParameters.groupId"), where '*' steps into every element of
	// an array ("requestParameters.resourcesSet.items.*.resourceId"). Each
	// string found is an id or an ARN. The first place holding one that
	// this kind resolves gives the resources the call changed (all of its
	// strings: a tagging call names many). Empty for a setting kind, whose
	// one resource the call's account and region name.
	IDs []string
	// Every takes the resources of every place instead of the first: a
	// rename names the old and the new identifier, and both changed.
	Every bool
	// Extract, when set, finds the ids where paths cannot (a bucket named
	// only by a virtual-hosted Host header); it runs after IDs found none.
	Extract func(r Record) ([]string, error)
	// Deletes says the call removes the resource: a live read will find
	// nothing, and the evaluation passes every policy.
	Deletes bool
	// ByARNOnly says the call names resources of several kinds, this one
	// only by ARN: a plain name found there is not this kind's.
	ByARNOnly bool
}

// Record is one CloudTrail record, as a Call's Extract reads it.
type Record interface {
	// Name is the eventName.
	Name() string
	// Strings returns every string at a dotted path ('*' for every element
	// of an array); none when the path is absent. A value of the wrong
	// type is an error that names the path.
	Strings(path string) ([]string, error)
}
