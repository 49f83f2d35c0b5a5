package plan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestKnown(t *testing.T) {
	tests := []struct {
		name, after, unknown, want string
	}{
		{"unknown leaves dropped, nulls kept", `{"a": 1, "b": null, "c": "x"}`, `{"c": true, "d": true}`, `{"a": 1, "b": null}`},
		{"unknown list elements dropped", `{"cidrs": ["0.0.0.0/0", null, "::/0"]}`, `{"cidrs": [false, true, false]}`, `{"cidrs": ["0.0.0.0/0", "::/0"]}`},
		{"nested blocks", `{"rule": [{"def": [{"alg": "aws:kms", "key": null}]}]}`, `{"rule": [{"def": [{"key": true}]}]}`, `{"rule": [{"def": [{"alg": "aws:kms"}]}]}`},
		{"wholly unknown attribute", `{"ingress": null}`, `{"ingress": true}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := known(decode(t, tt.after), decode(t, tt.unknown))
			if !ok || !reflect.DeepEqual(got, decode(t, tt.want)) {
				t.Errorf("known = %v (%v), want %s", got, ok, tt.want)
			}
		})
	}
	if _, ok := known(nil, true); ok {
		t.Error("a value marked unknown is known")
	}
}

func TestConfigModule(t *testing.T) {
	tests := map[string]string{
		"":                                   "",
		"module.app":                         "module.app",
		"module.app[0].module.db":            "module.app.module.db",
		`module.app["eu.west"].module.db[2]`: "module.app.module.db",
		`module.a["x]\"y"].module.b`:         "module.a.module.b",
	}
	for in, want := range tests {
		if got := StripKeys(in); got != want {
			t.Errorf("StripKeys(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want ref
		ok   bool
	}{
		{"aws_s3_bucket.data.id", ref{typ: "aws_s3_bucket", name: "data"}, true},
		{"aws_s3_bucket.data", ref{typ: "aws_s3_bucket", name: "data"}, true},
		{"aws_s3_bucket.data[0].id", ref{typ: "aws_s3_bucket", name: "data", key: "0"}, true},
		{`aws_s3_bucket.data["a.b]"].arn`, ref{typ: "aws_s3_bucket", name: "data", key: `"a.b]"`}, true},
		{"var.bucket", ref{}, false},
		{"module.s3.bucket_id", ref{}, false},
		{"data.aws_s3_bucket.x.id", ref{}, false},
		{"each.value.id", ref{}, false},
		{"aws_s3_bucket.data[0", ref{}, false},
	}
	for _, tt := range tests {
		got, ok := parseRef(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseRef(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestInstanceKey(t *testing.T) {
	for in, want := range map[any]string{nil: "", json.Number("3"): "3", "eu": `"eu"`} {
		if got := instanceKey(in); got != want {
			t.Errorf("instanceKey(%v) = %s, want %s", in, got, want)
		}
	}
}
