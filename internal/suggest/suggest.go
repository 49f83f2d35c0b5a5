// Package suggest finds the name a mistyped one was meant to be, so that an
// error about an unknown name can say what to write instead: a policy id in
// the config, an action name in a fake-cloud fault.
package suggest

import "strings"

// Closest returns the candidate nearest to word by edit distance, when it
// is near enough to be the one meant: fewer edits than a quarter of word's
// length plus two. Otherwise it returns "".
func Closest(word string, candidates []string) string {
	best, bestDist := "", len(word)/4+2
	for _, c := range candidates {
		if d := Distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Hint is the end of an error about an unknown word: " (did you mean X?)"
// when one candidate is close, else " (known: A, B, ...)".
func Hint(word string, candidates []string) string {
	if c := Closest(word, candidates); c != "" {
		return " (did you mean " + c + "?)"
	}
	return " (known: " + strings.Join(candidates, ", ") + ")"
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
