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
