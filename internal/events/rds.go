package events

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

// rdsExtractors are the RDS calls that can make a DB instance publicly
// accessible (every call that creates one or changes PubliclyAccessible),
// its deletion, and its tag changes, since exemption tags are part of what
// the policies judge.
var rdsExtractors = map[string]extractor{
	"CreateDBInstance":                changedDBInstance,
	"CreateDBInstanceReadReplica":     changedDBInstance,
	"ModifyDBInstance":                changedDBInstance,
	"RestoreDBInstanceFromDBSnapshot": changedDBInstance,
	"RestoreDBInstanceToPointInTime":  changedDBInstance,
	"RestoreDBInstanceFromS3":         changedDBInstance,
	"DeleteDBInstance":                deletedDBInstance,
	"AddTagsToResource":               taggedDBInstance,
	"RemoveTagsFromResource":          taggedDBInstance,
}

func (e *event) dbInstance(id string) Trigger {
	return e.resource(resource.TypeDBInstance, id, resource.DBInstanceARN(e.base.Account, e.base.Region, id))
}

// dbInstanceID is the instance a call made or changed. The response's
// dBInstanceIdentifier is the one RDS stored (always lower case); the
// request names it as given, and point-in-time restores name the new one
// targetDBInstanceIdentifier.
func (e *event) dbInstanceID() (string, error) {
	resp, err := e.response()
	if err != nil {
		return "", err
	}
	id, err := resp.str("dBInstanceIdentifier")
	if id != "" || err != nil {
		return id, err
	}
	req, err := e.request()
	if err != nil {
		return "", err
	}
	for _, key := range []string{"targetDBInstanceIdentifier", "dBInstanceIdentifier"} {
		if id, err = req.str(key); id != "" || err != nil {
			return strings.ToLower(id), err
		}
	}
	return "", e.rec.errorf("%s names no DB instance (requestParameters.dBInstanceIdentifier)", e.name)
}

// changedDBInstance also evaluates the old name of a renamed instance
// (newDBInstanceIdentifier), which then no longer exists and passes.
func changedDBInstance(e *event) ([]Trigger, error) {
	id, err := e.dbInstanceID()
	if err != nil {
		return nil, err
	}
	out := []Trigger{e.dbInstance(id)}
	if e.name == "ModifyDBInstance" {
		req, err := e.request()
		if err != nil {
			return nil, err
		}
		old, err := req.str("dBInstanceIdentifier")
		if err != nil {
			return nil, err
		}
		if old = strings.ToLower(old); old != "" && old != id {
			out = append(out, e.dbInstance(old))
		}
	}
	return out, nil
}

func deletedDBInstance(e *event) ([]Trigger, error) {
	ts, err := changedDBInstance(e)
	for i := range ts {
		ts[i].Deleted = !ts[i].Ignored
	}
	return ts, err
}

// taggedDBInstance: RDS tags every kind of resource by ARN; only DB
// instances ("arn:aws:rds:region:account:db:name") are judged.
func taggedDBInstance(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	arn, err := req.str("resourceName")
	if err != nil {
		return nil, err
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[6] == "" {
		return nil, e.rec.errorf("%s has no DB resource ARN in requestParameters.resourceName (got %q)", e.name, arn)
	}
	if parts[5] != "db" {
		return []Trigger{e.ignored(reasonUnsupported + e.source + "/" + e.name + " (tags on " + parts[5] + ", not a DB instance)")}, nil
	}
	t := e.resource(resource.TypeDBInstance, parts[6], arn)
	// The ARN names the account and region that own the instance.
	t.Region, t.Account = parts[3], parts[4]
	return []Trigger{t}, nil
}

// changedEBSEncryptionByDefault serves the EC2 calls that change the
// per-region EBS encryption-by-default setting (ec2Extractors). It has no
// id, so the trigger names the region and the ARN rectify gives the setting.
func changedEBSEncryptionByDefault(e *event) ([]Trigger, error) {
	return []Trigger{e.resource(resource.TypeEBSEncryptionByDefault, e.base.Region,
		resource.EBSEncryptionByDefaultARN(e.base.Account, e.base.Region))}, nil
}
