package gp_test

import (
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestCases runs the case directories under testdata/<model>/<case>/.
func TestCases(t *testing.T) {
	t.Parallel()
	modeltest.RunCases(t, "testdata")
}
