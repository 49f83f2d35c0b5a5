package kind

import "strings"

// ARN is an Amazon Resource Name split into its six parts. Resource keeps
// its own '/' and ':'.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s, or reports false when s is not an ARN.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// After returns what follows prefix in the resource part
// ("security-group/" → "sg-1"), or "" when the resource is of another kind.
func (a ARN) After(prefix string) string {
	rest, ok := strings.CutPrefix(a.Resource, prefix)
	if !ok {
		return ""
	}
	return rest
}

// Of reports whether the ARN belongs to service and its resource starts
// with prefix, and returns the rest: the usual shape of ParseARN.
func (a ARN) Of(service, prefix string) (string, bool) {
	if a.Service != service {
		return "", false
	}
	rest := a.After(prefix)
	return rest, rest != ""
}
