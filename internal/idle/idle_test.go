package idle

import "testing"

func TestRelease(t *testing.T) {
	calls := 0
	Register(func() { calls++ })
	Release()
	Release()
	if calls != 2 {
		t.Errorf("the registered function ran %d times, want 2", calls)
	}
}
