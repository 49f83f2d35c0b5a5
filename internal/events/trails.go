package events

import (
	"github.com/rectifyhq/rectify/internal/resource"
)

// CloudTrail control-plane calls that change a trail. StopLogging matters
// most: it blinds every reactive control, rectify's own included, and it is
// the last event the stopped trail delivers.
var cloudTrailExtractors = map[string]extractor{
	"CreateTrail":  changedTrail,
	"UpdateTrail":  changedTrail,
	"DeleteTrail":  deletedTrail,
	"StartLogging": changedTrail,
	"StopLogging":  changedTrail,
	"AddTags":      taggedTrail,
	"RemoveTags":   taggedTrail,
}

// trail names a trail by name, in the event's region (trail changes must be
// called in the trail's home region), or by its ARN.
func (e *event) trail(nameOrARN string) (Trigger, bool) {
	if a, ok := parseARN(nameOrARN); ok {
		name := a.after("trail/")
		if a.service != "cloudtrail" || name == "" || a.account == "" || a.region == "" {
			return Trigger{}, false
		}
		t := e.resource(resource.TypeCloudTrail, name, resource.TrailARN(a.account, a.region, name))
		t.Account, t.Region = a.account, a.region
		return t, true
	}
	if nameOrARN == "" {
		return Trigger{}, false
	}
	return e.resource(resource.TypeCloudTrail, nameOrARN, resource.TrailARN(e.base.Account, e.base.Region, nameOrARN)), true
}

// changedTrail reads requestParameters.name, a name or an ARN.
func changedTrail(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	name, err := req.str("name")
	if err != nil {
		return nil, err
	}
	if t, ok := e.trail(name); ok {
		return []Trigger{t}, nil
	}
	return nil, e.rec.errorf("%s names no trail (requestParameters.name)", e.name)
}

func deletedTrail(e *event) ([]Trigger, error) {
	ts, err := changedTrail(e)
	for i := range ts {
		ts[i].Deleted = true
	}
	return ts, err
}

// taggedTrail: CloudTrail tags trails, event data stores and channels by
// ARN; only a trail is judged. Tags feed exemptions.
func taggedTrail(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	id, err := req.str("resourceId")
	if err != nil {
		return nil, err
	}
	if t, ok := e.trail(id); ok {
		if _, isARN := parseARN(id); isARN {
			return []Trigger{t}, nil
		}
	}
	if id == "" {
		return nil, e.rec.errorf("%s names no resource (requestParameters.resourceId)", e.name)
	}
	return []Trigger{e.ignored(reasonUnsupported + e.source + "/" + e.name + " (" + id + " is not a trail)")}, nil
}
