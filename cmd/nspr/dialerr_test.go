package main

import (
	"strings"
	"testing"
)

// TestConnectNamesEveryAddressTried: ":1" stands for [::1]:1 and then
// 127.0.0.1:1, and when neither connects the error says so, in that order,
// each line with its NSPR name first.
func TestConnectNamesEveryAddressTried(t *testing.T) {
	r := runNSPR(t, "", "connect", ":1", "--timeout", "5s")
	if r.code != exitError {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, exitError, r.stderr)
	}
	v6 := strings.Index(r.stderr, "remote [::1]:1")
	v4 := strings.Index(r.stderr, "remote 127.0.0.1:1")
	if v6 < 0 || v4 < 0 || v6 > v4 {
		t.Errorf("stderr does not name [::1]:1 and then 127.0.0.1:1:\n%s", r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(line, "nspr: connect: PR_") {
			t.Errorf("line %q does not start with the operation and the NSPR name", line)
		}
	}
}
