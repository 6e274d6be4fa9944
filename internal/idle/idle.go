// Package idle lets the packages of this module register what they keep open
// for reuse (Poll's kernel sets), so that a leak check can release it before
// counting descriptors.
package idle

import "sync"

var (
	mu        sync.Mutex
	releasers []func()
)

// Register adds a function that closes what is kept idle for reuse.
func Register(release func()) {
	mu.Lock()
	releasers = append(releasers, release)
	mu.Unlock()
}

// Release runs every registered function.
func Release() {
	mu.Lock()
	fs := append([]func(){}, releasers...)
	mu.Unlock()
	for _, f := range fs {
		f()
	}
}
