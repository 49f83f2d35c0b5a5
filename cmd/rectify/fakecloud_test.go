package main

import (
	"strings"
	"testing"
)

// A --fault for an action the fake cloud does not serve stops it before it
// listens, instead of running with a fault that never fires.
func TestFakecloudRefusesUnservedFault(t *testing.T) {
	_, err := runRoot(t, "fakecloud", "--addr", "127.0.0.1:0", "--fault", "s3:PutPublicAccessBlock:code=SlowDown")
	want := `--fault: fault s3:PutPublicAccessBlock: s3 serves no action "PutPublicAccessBlock" (did you mean PutBucketPublicAccessBlock?)`
	if exitCodeOf(err) == 0 || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to mention %q", err, want)
	}
}
