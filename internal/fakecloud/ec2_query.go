package fakecloud

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ec2Params are the Query parameters of one EC2 request. Lists arrive
// flattened and numbered from 1 ("GroupId.1", "IpPermissions.2.IpRanges.1.CidrIp"),
// so every list reader here goes by the numbers present, in order, and
// never trusts them to be contiguous.
type ec2Params url.Values

// parseEC2Params reads the form body, and the URL query for a GET, which
// EC2 accepts too.
func parseEC2Params(r *http.Request, body []byte) (ec2Params, *APIError) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errorf("MalformedQueryString", "cannot parse the form-encoded body: %v", err)
	}
	for k, vals := range r.URL.Query() {
		if _, ok := v[k]; !ok {
			v[k] = vals
		}
	}
	return ec2Params(v), nil
}

func (p ec2Params) get(key string) string { return url.Values(p).Get(key) }

func (p ec2Params) has(key string) bool {
	_, ok := p[key]
	return ok
}

// indices returns, in order, the list positions N present under prefix:
// keys "prefix.N" or "prefix.N.Member".
func (p ec2Params) indices(prefix string) []int {
	var out []int
	for k := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || slices.Contains(out, n) {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// strings returns the scalar list under prefix ("GroupId.1", "GroupId.2").
func (p ec2Params) strings(prefix string) []string {
	var out []string
	for _, n := range p.indices(prefix) {
		k := prefix + "." + strconv.Itoa(n)
		if p.has(k) {
			out = append(out, p.get(k))
		}
	}
	return out
}

// int32 reads an optional integer parameter; nil when absent.
func (p ec2Params) int32(key string) (*int32, *APIError) {
	if !p.has(key) {
		return nil, nil
	}
	v := p.get(key)
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected an integer.", v, key)
	}
	i := int32(n)
	return &i, nil
}

// ec2Filter is one Filter.N: a resource matches when any value matches.
type ec2Filter struct {
	name   string
	values []string
}

// filters reads Filter.N.Name and Filter.N.Value.M and rejects names
// outside allowed (a "tag:" prefix is allowed when allowed has "tag:*"),
// as EC2 rejects unknown filter names rather than ignoring them.
func (p ec2Params) filters(allowed ...string) ([]ec2Filter, *APIError) {
	var out []ec2Filter
	for _, n := range p.indices("Filter") {
		prefix := "Filter." + strconv.Itoa(n)
		f := ec2Filter{name: p.get(prefix + ".Name"), values: p.strings(prefix + ".Value")}
		known := slices.Contains(allowed, f.name) ||
			(strings.HasPrefix(f.name, "tag:") && len(f.name) > len("tag:") && slices.Contains(allowed, "tag:*"))
		if !known {
			return nil, errorf("InvalidParameterValue", "The filter '%s' is invalid (fakecloud supports %s)", f.name, strings.Join(allowed, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// matches reports whether value matches any of the filter's values, which
// may use the * and ? wildcards as in EC2.
func (f ec2Filter) matches(value string) bool {
	for _, pat := range f.values {
		if ec2WildcardMatch(pat, value) {
			return true
		}
	}
	return false
}

// matchesTags applies a tag:KEY, tag-key or tag-value filter to tags;
// ok is false when f is not a tag filter.
func (f ec2Filter) matchesTags(tags ec2Tags) (match, ok bool) {
	switch {
	case strings.HasPrefix(f.name, "tag:"):
		v, has := tags[strings.TrimPrefix(f.name, "tag:")]
		return has && f.matches(v), true
	case f.name == "tag-key":
		for k := range tags {
			if f.matches(k) {
				return true, true
			}
		}
		return false, true
	case f.name == "tag-value":
		for _, v := range tags {
			if f.matches(v) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

// ec2WildcardMatch matches s against an EC2 filter pattern: * is any run of
// characters, ? any one character, and a backslash escapes either.
func ec2WildcardMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matcher with backtracking to the last star: linear in
	// practice and never recursive, so hostile patterns cannot blow up.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == t[ti]:
			pi += 2
			ti++
		case pi < len(p) && p[pi] != '*' && p[pi] != '\\' && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// EC2's Describe calls page between 5 and 1000 items; without MaxResults
// they return everything.
const (
	ec2MinResults = 5
	ec2MaxResults = 1000
)

// pagination reads MaxResults (0 when absent: no paging) and NextToken,
// returning the sort key the page starts after.
func (p ec2Params) pagination() (max int, after string, err *APIError) {
	m, err := p.int32("MaxResults")
	if err != nil {
		return 0, "", err
	}
	if m != nil {
		if *m < ec2MinResults || *m > ec2MaxResults {
			return 0, "", errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between %d and %d.", *m, ec2MinResults, ec2MaxResults)
		}
		max = int(*m)
	}
	if tok := p.get("NextToken"); tok != "" {
		b, derr := base64.RawURLEncoding.DecodeString(tok)
		key, ok := strings.CutPrefix(string(b), "fakecloud-ec2:")
		if derr != nil || !ok {
			return 0, "", errorf("InvalidPaginationToken", "The pagination token %q is not valid: pass back the nextToken of the previous page.", tok)
		}
		after = key
	}
	return max, after, nil
}

// ec2Paginate returns the page of items (sorted by key) after the key after,
// at most max long (all when max is 0), and the token for the next page.
// The token is the last key returned, not an offset, so groups created or
// deleted between pages neither repeat nor skip the others.
func ec2Paginate[T any](items []T, key func(T) string, max int, after string) (page []T, next string) {
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(items, after, func(it T, k string) int { return strings.Compare(key(it), k) })
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	page = items[start:]
	if max > 0 && len(page) > max {
		page = page[:max]
		next = base64.RawURLEncoding.EncodeToString([]byte("fakecloud-ec2:" + key(page[len(page)-1])))
	}
	return page, next
}
