package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The service's binary carries no test code: neither the testing package
// nor net/http/httptest is linked into it.
func TestBinaryLinksNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" || pkg == "net/http/httptest" || strings.HasSuffix(pkg, "/apptest") {
			t.Errorf("the binary links %s", pkg)
		}
	}
}
