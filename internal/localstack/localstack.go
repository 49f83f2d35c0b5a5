// Package localstack is what a running `rectify dev` tells the other
// commands on the same machine: where its Temporal, its fake cloud and its
// audit trail are, so that `rectify report` works against it with no
// set-up. The file lives in the local stack's state directory and is
// removed when the stack stops.
package localstack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileName is the file in the state directory.
const FileName = "local.json"

// Stack is a running local stack. The credentials are the fake cloud's,
// for a fake cloud on loopback: not secrets.
type Stack struct {
	Temporal        string `json:"temporal"`
	Namespace       string `json:"namespace"`
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region"`
	AuditBucket     string `json:"audit_bucket"`
	AuditPrefix     string `json:"audit_prefix"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	PID             int    `json:"pid"`
}

// Write records the stack in dir.
func Write(dir string, s Stack) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode local stack: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write local stack %s: %w", path, err)
	}
	return nil
}

// Read returns the stack recorded in dir; ok is false when there is none.
func Read(dir string) (s Stack, ok bool, err error) {
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Stack{}, false, nil
	}
	if err != nil {
		return Stack{}, false, fmt.Errorf("read local stack %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Stack{}, false, fmt.Errorf("local stack %s: %w", path, err)
	}
	if s.Endpoint == "" || s.AuditBucket == "" {
		return Stack{}, false, fmt.Errorf("local stack %s: endpoint and audit_bucket are required", path)
	}
	return s, true, nil
}

// Remove deletes the record of the stack in dir, if any.
func Remove(dir string) error {
	if err := os.Remove(filepath.Join(dir, FileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
