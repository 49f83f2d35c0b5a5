package plan

import (
	"encoding/json"
	"strings"
)

// StripKeys turns an instance address ("module.app[0].module.db",
// `aws_s3_bucket.b["a.b"]`) into the configuration address it was expanded
// from ("module.app.module.db"), which is how
// configuration.root_module.module_calls and the .tf files name it.
func StripKeys(moduleAddr string) string {
	var b strings.Builder
	depth, inString := 0, false
	for i := 0; i < len(moduleAddr); i++ {
		c := moduleAddr[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"' && depth > 0:
			inString = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// instanceKey renders a resource_changes[].index (a count number or a
// for_each string) the way references write it between brackets: 0, "a".
func instanceKey(index any) string {
	switch k := index.(type) {
	case nil:
		return ""
	case json.Number:
		return k.String()
	default:
		b, _ := json.Marshal(k)
		return string(b)
	}
}

// ref is one entry of expressions.<attr>.references that names a resource:
// "aws_s3_bucket.data.id", "aws_s3_bucket.data", `aws_s3_bucket.b["x"].arn`.
type ref struct {
	typ, name string
	key       string // instance key as written between brackets, "" if none
}

// parseRef reads the resource a reference names. References to variables,
// locals, modules, data sources and the like are not resources: ok false.
func parseRef(s string) (ref, bool) {
	typ, rest, ok := strings.Cut(s, ".")
	if !ok || typ == "" || strings.ContainsAny(typ, "[\"") {
		return ref{}, false
	}
	switch typ {
	case "var", "local", "module", "data", "each", "count", "path", "terraform", "self":
		return ref{}, false
	}
	end := strings.IndexAny(rest, ".[")
	if end < 0 {
		end = len(rest)
	}
	r := ref{typ: typ, name: rest[:end]}
	if r.name == "" {
		return ref{}, false
	}
	if rest = rest[end:]; strings.HasPrefix(rest, "[") {
		closeAt := closingBracket(rest)
		if closeAt < 0 {
			return ref{}, false
		}
		r.key = rest[1:closeAt]
	}
	return r, true
}

// closingBracket finds the ']' that closes s[0], skipping quoted strings.
func closingBracket(s string) int {
	inString := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == ']':
			return i
		}
	}
	return -1
}
