package fakecloud

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
)

// sqsAttributeValue is a message attribute as the JSON protocol carries it.
// BinaryValue is a blob: base64 in JSON, which encoding/json does for []byte.
type sqsAttributeValue struct {
	DataType    string
	StringValue string `json:",omitempty"`
	BinaryValue []byte `json:",omitempty"`
}

var sqsAttributeNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// sqsCheckAttributes validates message attributes as SendMessage does.
func sqsCheckAttributes(attrs map[string]sqsAttributeValue) *APIError {
	if len(attrs) > 10 {
		return errorf("InvalidParameterValue", "Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for name, v := range attrs {
		lower := strings.ToLower(name)
		if !sqsAttributeNamePattern.MatchString(name) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
			strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
			return errorf("InvalidParameterValue", "Message attribute name '%s' is invalid.", name)
		}
		switch sqsTransportType(v.DataType) {
		case 1:
			if v.StringValue == "" {
				return errorf("InvalidParameterValue", "Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
			}
		case 2:
			if len(v.BinaryValue) == 0 {
				return errorf("InvalidParameterValue", "Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
			}
		default:
			return errorf("InvalidParameterValue", "The type of message attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
	}
	return nil
}

// sqsTransportType is the byte MD5OfMessageAttributes encodes per data
// type: 1 for String and Number (custom suffixes included), 2 for Binary.
func sqsTransportType(dataType string) byte {
	base, _, _ := strings.Cut(dataType, ".")
	switch base {
	case "String", "Number":
		return 1
	case "Binary":
		return 2
	}
	return 0
}

// sqsAttributesMD5 is MD5OfMessageAttributes, computed the way SQS
// documents it: for each attribute in name order, the length-prefixed
// name, data type, a transport byte, and the length-prefixed value.
func sqsAttributesMD5(attrs map[string]sqsAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, n := range names {
		v := attrs[n]
		field([]byte(n))
		field([]byte(v.DataType))
		t := sqsTransportType(v.DataType)
		h.Write([]byte{t})
		if t == 2 {
			field(v.BinaryValue)
		} else {
			field([]byte(v.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sqsSelectAttributes returns the attributes a receive asked for: names
// given exactly, "All" or ".*" for every one, "prefix.*" for a prefix.
func sqsSelectAttributes(attrs map[string]sqsAttributeValue, want []string) map[string]sqsAttributeValue {
	if len(attrs) == 0 || len(want) == 0 {
		return nil
	}
	out := map[string]sqsAttributeValue{}
	for name, v := range attrs {
		for _, w := range want {
			prefix, wildcard := strings.CutSuffix(w, ".*")
			if w == "All" || w == ".*" || w == name || (wildcard && strings.HasPrefix(name, prefix+".")) {
				out[name] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sqsAttributesSize counts attributes against the message size limit, as
// SQS does: name, data type and value bytes.
func sqsAttributesSize(attrs map[string]sqsAttributeValue) int {
	n := 0
	for name, v := range attrs {
		n += len(name) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
	}
	return n
}
