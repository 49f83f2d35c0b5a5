package activities

import (
	"slices"
	"strings"
	"testing"
)

// Every remediation action in the allow-list declares its permissions, so
// the least-privilege test in deploy/ can never miss one.
func TestPermissionsCoverActions(t *testing.T) {
	for _, name := range Actions() {
		if len(Permissions[name]) == 0 {
			t.Errorf("remediation action %s declares no IAM actions in Permissions", name)
		}
	}
	for _, typ := range LiveTypes {
		for _, use := range []string{"read:", "list:", "tag:"} {
			if use != "read:" && slices.Contains(accountSettingTypes, typ) {
				continue // listed without a call, and untaggable (ebs.go)
			}
			if use == "tag:" && slices.Contains(untaggableTypes, typ) {
				continue // IAM groups cannot be tagged (iam.go)
			}
			if len(Permissions[use+typ]) == 0 {
				t.Errorf("%s%s declares no IAM actions", use, typ)
			}
		}
	}
	for _, a := range RequiredActions() {
		if svc, op, ok := strings.Cut(a, ":"); !ok || svc == "" || op == "" || strings.Contains(a, "*") {
			t.Errorf("IAM action %q is not service:Operation", a)
		}
	}
	if !slices.IsSorted(RequiredActions()) {
		t.Error("RequiredActions is not sorted")
	}
}
