package fakecloud

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Smithy's rpcv2Cbor protocol (CloudWatch since 2025): POST
// /service/<ServiceShape>/operation/<Operation> with a CBOR map in and a
// CBOR map out, Smithy-Protocol: rpc-v2-cbor on both. Timestamps are tag 1
// around epoch seconds; errors are a map with __type (the error shape id)
// and message. A service that was awsQuery before (CloudWatch) is
// "query compatible": the client sends X-Amzn-Query-Mode and the service
// repeats the old query error code in X-Amzn-Query-Error ("Code;Sender"),
// which the SDK prefers as the error code.
const (
	cborContentType = "application/cbor"
	smithyProtocol  = "rpc-v2-cbor"
)

// cborUnmarshal decodes a CBOR request body into in, a struct with json
// tags named like the model's members: the CBOR is turned into the values
// encoding/json would have produced and decoded from there, so a handler
// reads a CBOR request the way the JSON services read theirs. Timestamps
// become epoch seconds. An empty body is an empty input.
func cborUnmarshal(body []byte, in any) *APIError {
	if len(body) == 0 {
		return nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return errorf("SerializationException", "cannot decode the CBOR request body: %v", err)
	}
	plain, err := cborPlain(v)
	if err != nil {
		return errorf("SerializationException", "cannot read the CBOR request body: %v", err)
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return errorf("SerializationException", "cannot read the CBOR request body: %v", err)
	}
	if err := json.Unmarshal(b, in); err != nil {
		return errorf("SerializationException", "cannot read the CBOR request body: %v", err)
	}
	return nil
}

// cborPlain turns a decoded CBOR value into maps, slices, strings,
// numbers and booleans.
func cborPlain(v cbor.Value) (any, error) {
	switch v := v.(type) {
	case cbor.Map:
		out := make(map[string]any, len(v))
		for k, e := range v {
			p, err := cborPlain(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = p
		}
		return out, nil
	case cbor.List:
		out := make([]any, len(v))
		for i, e := range v {
			p, err := cborPlain(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = p
		}
		return out, nil
	case cbor.String:
		return string(v), nil
	case cbor.Uint:
		return uint64(v), nil
	case cbor.NegInt:
		if v == 0 || uint64(v) > math.MaxInt64 {
			return nil, fmt.Errorf("integer out of range")
		}
		return -int64(v), nil
	case cbor.Float32:
		return float64(v), nil
	case cbor.Float64:
		return float64(v), nil
	case cbor.Bool:
		return bool(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case *cbor.Tag:
		if v.ID == 1 { // an epoch timestamp
			return cborPlain(v.Value)
		}
		return nil, fmt.Errorf("unexpected CBOR tag %d", v.ID)
	case cbor.Slice:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("unexpected CBOR value %T", v)
}

// cborValue encodes a response built of maps, slices, strings, numbers,
// booleans and times. Nil members and empty strings are left out, as a
// Smithy server leaves out unset members; Go integers become CBOR
// integers (the SDK refuses a float for an integer member) and times
// become tag 1 around fractional epoch seconds.
func cborValue(v any) cbor.Value {
	switch v := v.(type) {
	case nil:
		return nil
	case cbor.Value:
		return v
	case map[string]any:
		out := cbor.Map{}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if e := cborValue(v[k]); e != nil {
				out[k] = e
			}
		}
		return out
	case []any:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			if ev := cborValue(e); ev != nil {
				out = append(out, ev)
			}
		}
		return out
	case []string:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, cbor.String(e))
		}
		return out
	case []map[string]any:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, cborValue(e))
		}
		return out
	case string:
		if v == "" {
			return nil
		}
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case int:
		return cborInt(int64(v))
	case int32:
		return cborInt(int64(v))
	case int64:
		return cborInt(v)
	case float64:
		return cbor.Float64(v)
	case time.Time:
		if v.IsZero() {
			return nil
		}
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(v.UnixMilli()) / 1e3)}
	}
	panic(fmt.Sprintf("fakecloud: cannot encode %T as CBOR", v))
}

func cborInt(n int64) cbor.Value {
	if n < 0 {
		return cbor.NegInt(uint64(-n))
	}
	return cbor.Uint(uint64(n))
}

// writeCBOR writes a successful rpcv2Cbor response.
func (c *call) writeCBOR(v map[string]any) {
	c.writeCBORStatus(http.StatusOK, cborValue(v))
}

func (c *call) writeCBORStatus(status int, v cbor.Value) {
	if v == nil {
		v = cbor.Map{}
	}
	h := c.w.Header()
	h.Set("Content-Type", cborContentType)
	h.Set("Smithy-Protocol", smithyProtocol)
	h.Set("x-amzn-RequestId", c.requestID)
	c.status = status
	c.w.WriteHeader(status)
	_, _ = c.w.Write(cbor.Encode(v))
}

// writeCBORError writes err as an rpcv2Cbor error: typeID is the error
// shape's id for __type; the query-compatible code goes in
// X-Amzn-Query-Error, Sender for the caller's mistakes and Receiver for
// the service's.
func (c *call) writeCBORError(err *APIError, typeID string) {
	fault := "Sender"
	if err.Status >= 500 {
		fault = "Receiver"
	}
	c.w.Header().Set("X-Amzn-Query-Error", err.Code+";"+fault)
	c.writeCBORStatus(err.Status, cbor.Map{"__type": cbor.String(typeID), "message": cbor.String(err.Message)})
}
