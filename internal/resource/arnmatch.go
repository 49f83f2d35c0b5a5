package resource

// MatchARN reports whether s matches the ARN pattern, where '*' matches
// any run of characters, '/' and ':' included, as in IAM policies (and in
// rectify's config: remediation roles, exemptions). It backtracks only to
// the last star, so it runs in O(len(pattern)*len(s)) at worst.
func MatchARN(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
