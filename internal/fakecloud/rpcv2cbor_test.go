package fakecloud

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// TestCBORRoundTrip: what a handler writes with cborValue reads back
// through cborPlain as encoding/json would have given it: integers stay
// integers, times become epoch seconds, unset members are left out.
func TestCBORRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 23, 0, 0, 500_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		in   any
		want any
	}{
		{"integers", map[string]any{"Period": int32(300), "Offset": -5, "Big": int64(1) << 40}, map[string]any{"Period": uint64(300), "Offset": int64(-5), "Big": uint64(1) << 40}},
		{"float", map[string]any{"Threshold": 1.5}, map[string]any{"Threshold": 1.5}},
		{"time", map[string]any{"At": at}, map[string]any{"At": float64(at.UnixMilli()) / 1e3}},
		{"unset members left out", map[string]any{"Name": "", "Nil": nil, "Zero": time.Time{}, "Kept": false}, map[string]any{"Kept": false}},
		{"lists", map[string]any{"S": []string{"a"}, "M": []map[string]any{{"K": "v"}}, "A": []any{"x", nil}},
			map[string]any{"S": []any{"a"}, "M": []any{map[string]any{"K": "v"}}, "A": []any{"x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := cbor.Decode(cbor.Encode(cborValue(tc.in)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := cborPlain(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("round trip = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestCBORUnmarshalErrors: a body that is not CBOR, or holds what no
// Smithy shape holds, is a SerializationException.
func TestCBORUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"truncated", []byte{0xa1, 0x61}},
		{"unknown tag", cbor.Encode(cbor.Map{"At": &cbor.Tag{ID: 2, Value: cbor.Uint(1)}})},
		{"wrong type", cbor.Encode(cbor.Map{"AlarmName": cbor.Uint(1)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in cwAlarmInput
			if err := cborUnmarshal(tc.body, &in); err == nil || err.Code != "SerializationException" {
				t.Errorf("cborUnmarshal = %v, want SerializationException", err)
			}
		})
	}
}
