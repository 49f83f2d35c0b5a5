package localstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRemove(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := Read(dir); ok || err != nil {
		t.Fatalf("Read of an empty dir = %v, %v; want none", ok, err)
	}
	want := Stack{Temporal: "127.0.0.1:7233", Namespace: "default", Endpoint: "http://127.0.0.1:4566", Region: "us-east-1",
		AuditBucket: "rectify-audit", AuditPrefix: "rectify/audit/", AccessKeyID: "AKIA", SecretAccessKey: "s", PID: 42}
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, FileName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", st.Mode(), err)
	}
	got, ok, err := Read(dir)
	if err != nil || !ok || got != want {
		t.Errorf("Read = %+v %v %v, want %+v", got, ok, err, want)
	}
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir); err != nil {
		t.Errorf("a second Remove = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"temporal":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "audit_bucket") {
		t.Errorf("Read of an incomplete file = %v, want an error naming what is missing", err)
	}
}
