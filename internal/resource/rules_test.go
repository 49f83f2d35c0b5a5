package resource

import "testing"

func TestNormalizeProtocol(t *testing.T) {
	tests := map[string]string{
		"-1": "-1", "all": "-1", "ALL": "-1",
		"tcp": "tcp", "TCP": "tcp", "6": "tcp",
		"udp": "udp", "17": "udp",
		"icmp": "icmp", "1": "icmp",
		"icmpv6": "icmpv6", "58": "icmpv6",
		"50": "50", " tcp ": "tcp",
	}
	for in, want := range tests {
		if got := NormalizeProtocol(in); got != want {
			t.Errorf("NormalizeProtocol(%q) = %q, want %q", in, got, want)
		}
	}
}
