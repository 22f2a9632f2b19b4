package transforms_test

import (
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestCases runs the case directories under testdata/<model>/<case>/: archetype_signals,
// the mart this package assembles.
func TestCases(t *testing.T) { modeltest.RunCases(t, "testdata") }
