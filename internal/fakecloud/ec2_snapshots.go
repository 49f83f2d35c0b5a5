package fakecloud

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EBS volumes and snapshots: enough for FSBP EC2.1 (a snapshot anyone can
// restore). A volume is only an id and a size, made by a seed (fakecloud
// has no CreateVolume); CreateSnapshot copies no data and completes at
// once. A snapshot's createVolumePermission lists who may create volumes
// from it: account ids, or the group "all" for every AWS account. The fake
// models no encryption (AWS refuses to make an encrypted snapshot public),
// no Marketplace product codes and no snapshots shared by other accounts.

const (
	volumeIDPrefix   = "vol-"
	snapshotIDPrefix = "snap-"
	// ebsPublicGroup is the only group createVolumePermission knows.
	ebsPublicGroup = "all"
)

// ebsSnapshot is one EBS snapshot. users and public make up its
// createVolumePermission.
type ebsSnapshot struct {
	id, volumeID, description, owner string
	sizeGiB                          int32
	started                          time.Time
	users                            []string // account ids, in the order added
	public                           bool
	tags                             ec2Tags
}

// SeedVolume adds an EBS volume to snapshot, without a CloudTrail event.
// id must start with vol-.
func (c *Cloud) SeedVolume(account, region, id string, sizeGiB int32) error {
	if !strings.HasPrefix(id, volumeIDPrefix) || len(id) == len(volumeIDPrefix) || sizeGiB < 1 {
		return fmt.Errorf("seed volume %q: want a vol- id and a size of at least 1 GiB", id)
	}
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(account, region)
	if st.volumes == nil {
		st.volumes = map[string]int32{}
	}
	st.volumes[id] = sizeGiB
	return nil
}

// SnapshotCreateVolumePermission reads who may create volumes from an EBS
// snapshot, for tests: the account ids, and whether the group "all" is
// there. ok is false when the snapshot does not exist.
func (c *Cloud) SnapshotCreateVolumePermission(account, region, id string) (users []string, public, ok bool) {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.state(account, region).snapshots[id]
	if !ok {
		return nil, false, false
	}
	return slices.Clone(snap.users), snap.public, true
}

func snapshotNotFound(id string) *APIError {
	return errorf("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
}

// snapshot finds one of the account's snapshots. The caller holds s.mu.
func (st *ec2State) snapshot(id string) (*ebsSnapshot, *APIError) {
	if !strings.HasPrefix(id, snapshotIDPrefix) || len(id) == len(snapshotIDPrefix) {
		return nil, errorf("InvalidSnapshotID.Malformed", "Invalid id: \"%s\" (expecting \"snap-...\")", id)
	}
	snap, ok := st.snapshots[id]
	if !ok {
		return nil, snapshotNotFound(id)
	}
	return snap, nil
}

type xmlSnapshot struct {
	SnapshotID  string                 `xml:"snapshotId"`
	VolumeID    string                 `xml:"volumeId"`
	Status      string                 `xml:"status"`
	StartTime   string                 `xml:"startTime"`
	Progress    string                 `xml:"progress"`
	OwnerID     string                 `xml:"ownerId"`
	VolumeSize  int32                  `xml:"volumeSize"`
	Description string                 `xml:"description"`
	Encrypted   bool                   `xml:"encrypted"`
	StorageTier string                 `xml:"storageTier"`
	Tags        *ec2XMLList[ec2XMLTag] `xml:"tagSet"`
}

func (snap *ebsSnapshot) xml() xmlSnapshot {
	x := xmlSnapshot{
		SnapshotID: snap.id, VolumeID: snap.volumeID, Status: "completed", Progress: "100%",
		StartTime: snap.started.Format(time.RFC3339Nano), OwnerID: snap.owner, VolumeSize: snap.sizeGiB,
		Description: snap.description, StorageTier: "standard",
	}
	if len(snap.tags) > 0 {
		x.Tags = snap.tags.xml()
	}
	return x
}

type xmlCreateSnapshotResponse struct {
	RequestID string `xml:"requestId"`
	xmlSnapshot
}

type xmlDescribeSnapshotsResponse struct {
	RequestID string                  `xml:"requestId"`
	Snapshots ec2XMLList[xmlSnapshot] `xml:"snapshotSet"`
	NextToken string                  `xml:"nextToken,omitempty"`
}

type xmlCreateVolumePermission struct {
	Group  string `xml:"group,omitempty"`
	UserID string `xml:"userId,omitempty"`
}

type xmlDescribeSnapshotAttributeResponse struct {
	RequestID              string                                 `xml:"requestId"`
	SnapshotID             string                                 `xml:"snapshotId"`
	CreateVolumePermission *ec2XMLList[xmlCreateVolumePermission] `xml:"createVolumePermission"`
	ProductCodes           *ec2XMLList[struct{}]                  `xml:"productCodes"`
}

func (s *ec2Service) createSnapshot(c *call, p ec2Params) *APIError {
	volumeID, description := p.get("VolumeId"), p.get("Description")
	specs := p.tagSpecifications()
	params := map[string]any{"volumeId": volumeID}
	if description != "" {
		params["description"] = description
	}
	if len(specs) > 0 {
		params["tagSpecificationSet"] = ec2TagSpecsTrail(specs)
	}
	c.Record(params)
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if volumeID == "" {
		return errorf("MissingParameter", "The request must contain the parameter volumeId")
	}
	tags, err := ec2TagsForResource(specs, "snapshot")
	if err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	size, ok := st.volumes[volumeID]
	var snap *ebsSnapshot
	if ok {
		snap = &ebsSnapshot{
			id: newID(snapshotIDPrefix, 17), volumeID: volumeID, description: description, owner: c.account(),
			sizeGiB: size, started: c.time, tags: tags,
		}
		if st.snapshots == nil {
			st.snapshots = map[string]*ebsSnapshot{}
		}
		st.snapshots[snap.id] = snap
	}
	var x xmlSnapshot
	if snap != nil {
		x = snap.xml()
	}
	s.mu.Unlock()
	if !ok {
		return errorf("InvalidVolume.NotFound", "The volume '%s' does not exist.", volumeID)
	}
	// A real snapshot is "pending" when CreateSnapshot answers; this one
	// is complete at once, and the response says what AWS says.
	x.Status, x.Progress = "pending", ""
	c.RecordResponse(map[string]any{
		"requestId": c.requestID, "snapshotId": x.SnapshotID, "volumeId": x.VolumeID, "status": x.Status,
		"startTime": snap.started.UnixMilli(), "progress": "", "ownerId": x.OwnerID, "volumeSize": x.VolumeSize,
		"encrypted": false,
	})
	ec2Respond(c, xmlCreateSnapshotResponse{RequestID: c.requestID, xmlSnapshot: x})
	return nil
}

// describeSnapshots lists snapshots by id, or the account's own. Without
// Owner self or SnapshotId AWS also lists every public snapshot of every
// account; the fake has no other accounts' snapshots to show, and says
// so by listing the account's own only.
func (s *ec2Service) describeSnapshots(c *call, p ec2Params) *APIError {
	filters, err := p.filters("snapshot-id", "volume-id", "owner-id", "status", "tag:*", "tag-key")
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	ids := p.strings("SnapshotId")
	if len(ids) > 0 && max > 0 {
		return errorf("InvalidParameterCombination", "The parameter snapshotSet cannot be used with the parameter maxResults")
	}
	for _, owner := range p.strings("Owner") {
		if owner != "self" && owner != c.account() && owner != "amazon" && !rdsAccountID.MatchString(owner) {
			return errorf("InvalidUserID.Malformed", "Invalid user id: \"%s\"", owner)
		}
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var snaps []*ebsSnapshot
	if len(ids) > 0 {
		for _, id := range ids {
			snap, err := st.snapshot(id)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			snaps = append(snaps, snap)
		}
	} else {
		for _, snap := range st.snapshots {
			snaps = append(snaps, snap)
		}
	}
	snaps = slices.DeleteFunc(snaps, func(snap *ebsSnapshot) bool { return !snap.matches(filters) })
	slices.SortFunc(snaps, func(a, b *ebsSnapshot) int { return strings.Compare(a.id, b.id) })
	page, next := ec2Paginate(snaps, func(snap *ebsSnapshot) string { return snap.id }, max, after)
	items := make([]xmlSnapshot, 0, len(page))
	for _, snap := range page {
		items = append(items, snap.xml())
	}
	s.mu.Unlock()
	ec2Respond(c, xmlDescribeSnapshotsResponse{RequestID: c.requestID, Snapshots: ec2XMLList[xmlSnapshot]{Items: items}, NextToken: next})
	return nil
}

func (snap *ebsSnapshot) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if m, ok := f.matchesTags(snap.tags); ok {
			if !m {
				return false
			}
			continue
		}
		v := map[string]string{"snapshot-id": snap.id, "volume-id": snap.volumeID, "owner-id": snap.owner, "status": "completed"}[f.name]
		if !f.matches(v) {
			return false
		}
	}
	return true
}

// snapshotAttributes are the Attribute values DescribeSnapshotAttribute
// and ModifySnapshotAttribute take.
var snapshotAttributes = []string{"createVolumePermission", "productCodes"}

func (s *ec2Service) describeSnapshotAttribute(c *call, p ec2Params) *APIError {
	id, attr := p.get("SnapshotId"), p.get("Attribute")
	switch {
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter snapshotId")
	case attr == "":
		return errorf("MissingParameter", "The request must contain the parameter attribute")
	case !slices.Contains(snapshotAttributes, attr):
		return errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	snap, err := s.state(c.account(), c.region).snapshot(id)
	resp := xmlDescribeSnapshotAttributeResponse{RequestID: c.requestID, SnapshotID: id}
	if err == nil {
		if attr == "productCodes" {
			resp.ProductCodes = &ec2XMLList[struct{}]{}
		} else {
			resp.CreateVolumePermission = snap.permissionXML()
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	ec2Respond(c, resp)
	return nil
}

// permissionXML lists the group first, then the accounts, as AWS does.
// The caller holds s.mu.
func (snap *ebsSnapshot) permissionXML() *ec2XMLList[xmlCreateVolumePermission] {
	l := &ec2XMLList[xmlCreateVolumePermission]{}
	if snap.public {
		l.Items = append(l.Items, xmlCreateVolumePermission{Group: ebsPublicGroup})
	}
	for _, u := range snap.users {
		l.Items = append(l.Items, xmlCreateVolumePermission{UserID: u})
	}
	return l
}

// volumePermissionChange is one side (add or remove) of a change.
type volumePermissionChange struct {
	public bool
	users  []string
}

func (ch volumePermissionChange) empty() bool { return !ch.public && len(ch.users) == 0 }

// trail renders one side as CloudTrail's requestParameters do:
// {"items": [{"group": "all"}, {"userId": "…"}]} (captured events spell
// the group "group", as the API does).
func (ch volumePermissionChange) trail() map[string]any {
	var items []any
	if ch.public {
		items = append(items, map[string]any{"group": ebsPublicGroup})
	}
	for _, u := range ch.users {
		items = append(items, map[string]any{"userId": u})
	}
	return ec2TrailItems(items)
}

// volumePermissionInput reads a ModifySnapshotAttribute request in either
// form the API takes: CreateVolumePermission.Add.N / .Remove.N (Group or
// UserId each), or the older OperationType with UserGroup.N and UserId.N.
func volumePermissionInput(p ec2Params) (add, remove volumePermissionChange, err *APIError) {
	side := func(prefix string) (volumePermissionChange, *APIError) {
		var ch volumePermissionChange
		for _, n := range p.indices(prefix) {
			item := fmt.Sprintf("%s.%d", prefix, n)
			group, user := p.get(item+".Group"), p.get(item+".UserId")
			switch {
			case group != "" && group != ebsPublicGroup:
				return ch, errorf("InvalidParameterValue", "Value (%s) for parameter group is invalid. Valid values: all", group)
			case group != "":
				ch.public = true
			case user != "":
				ch.users = append(ch.users, user)
			}
		}
		return ch, nil
	}
	if add, err = side("CreateVolumePermission.Add"); err != nil {
		return
	}
	if remove, err = side("CreateVolumePermission.Remove"); err != nil {
		return
	}
	if op := p.get("OperationType"); op != "" {
		legacy := volumePermissionChange{users: p.strings("UserId")}
		for _, g := range p.strings("UserGroup") {
			if g != ebsPublicGroup {
				return add, remove, errorf("InvalidParameterValue", "Value (%s) for parameter group is invalid. Valid values: all", g)
			}
			legacy.public = true
		}
		switch op {
		case "add":
			add.public, add.users = add.public || legacy.public, append(add.users, legacy.users...)
		case "remove":
			remove.public, remove.users = remove.public || legacy.public, append(remove.users, legacy.users...)
		default:
			return add, remove, errorf("InvalidParameterValue", "Value (%s) for parameter operationType is invalid. Valid values: add, remove", op)
		}
	}
	for _, u := range append(slices.Clone(add.users), remove.users...) {
		if !rdsAccountID.MatchString(u) {
			return add, remove, errorf("InvalidUserID.Malformed", "Invalid user id: \"%s\"", u)
		}
	}
	return add, remove, nil
}

func (s *ec2Service) modifySnapshotAttribute(c *call, p ec2Params) *APIError {
	id, attr := p.get("SnapshotId"), p.get("Attribute")
	add, remove, perr := volumePermissionInput(p)
	params := map[string]any{"snapshotId": id}
	perm := map[string]any{}
	if !add.empty() {
		perm["add"] = add.trail()
	}
	if !remove.empty() {
		perm["remove"] = remove.trail()
	}
	if len(perm) > 0 {
		params["createVolumePermission"] = perm
		params["attributeType"] = "CREATE_VOLUME_PERMISSION"
	}
	c.Record(params)
	switch {
	case perr != nil:
		return perr
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter snapshotId")
	case attr != "" && attr != "createVolumePermission":
		return errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. fakecloud modifies createVolumePermission only.", attr)
	case add.empty() && remove.empty():
		return errorf("MissingParameter", "The request must contain the parameter createVolumePermission")
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	snap, err := s.state(c.account(), c.region).snapshot(id)
	if err == nil {
		// Removal first, then addition, so one call can replace a list.
		snap.users = slices.DeleteFunc(snap.users, func(u string) bool { return slices.Contains(remove.users, u) })
		if remove.public {
			snap.public = false
		}
		for _, u := range add.users {
			if !slices.Contains(snap.users, u) {
				snap.users = append(snap.users, u)
			}
		}
		snap.public = snap.public || add.public
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, ec2ReturnResponse{RequestID: c.requestID, Return: true})
	return nil
}
