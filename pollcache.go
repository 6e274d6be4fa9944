//go:build linux || darwin || freebsd

package nspr

import (
	"sync"

	"github.com/nspr-go/nspr/internal/idle"
)

// Poll keeps the kernel sets it waited on, and those of long lists it
// answers from, in one small cache, most recently used first, so that a
// program polling the same sockets again and again (a server's loop) finds
// its set with the sockets already in it. A list is known by its first
// socket and its length, which a program that builds its list anew on
// every loop, as NSPR code does, keeps; a wrong match costs only the system
// calls that make the set hold the list, never a wrong answer.
//
// A long list (listSetMin entries or more) is answered from a set where
// the set's events are poll(2)'s (exactKernelSet): the first Poll of a list
// only records it and uses poll(2), so that a list polled once never pays
// for building a set; the second gets one.
const keptSetsMax = 4

var listSetMin = 64 // the shortest list answered from a kept set; a variable for tests

var keptSets struct {
	mu  sync.Mutex
	lru [keptSetsMax]keptSet
}

// keptSet is a cache entry; a nil set records a list polled once.
type keptSet struct {
	key listKey
	set *listSet
}

// listKey identifies a list: its first socket's poll id (0 for none) and
// its length. It holds no pointer, so the cache keeps no socket alive.
type listKey struct {
	first uint64
	n     int
}

func listKeyOf(descs []PollDesc) listKey {
	k := listKey{n: len(descs)}
	for i := range descs {
		if s := descs[i].Socket; s != nil && s.own.made {
			k.first = s.own.pollID()
			break
		}
	}
	return k
}

// takeListSet takes the set kept for k out of the cache while the caller
// uses it. A Poll that must wait (wait) always gets a set: on a miss the
// least recent one when the cache is full (it is made to match the list),
// else a new one. A long list about to be answered (!wait) gets a set the
// second time it is seen, and nil the first.
func takeListSet(k listKey, wait bool) (*listSet, error) {
	keptSets.mu.Lock()
	lru := &keptSets.lru
	if i := findKept(k); i >= 0 {
		set := lru[i].set
		copy(lru[i:], lru[i+1:])
		lru[len(lru)-1] = keptSet{}
		keptSets.mu.Unlock()
		if set != nil {
			return set, nil
		}
		return newListSet() // polled once before: now it gets a set
	}
	if !wait {
		evicted := pushKept(keptSet{key: k})
		keptSets.mu.Unlock()
		closeListSet(evicted)
		return nil, nil
	}
	var stolen *listSet
	if last := &lru[len(lru)-1]; last.set != nil {
		stolen = last.set
		*last = keptSet{}
	}
	keptSets.mu.Unlock()
	if stolen != nil {
		return stolen, nil
	}
	return newListSet()
}

// keepListSet puts set back as the most recent, for k. The least recent
// set beyond the cache's size closes, as does a set kept for k by another
// Poll of the same list meanwhile.
func keepListSet(k listKey, set *listSet) {
	keptSets.mu.Lock()
	var twin *listSet
	if i := findKept(k); i >= 0 {
		twin = keptSets.lru[i].set
		copy(keptSets.lru[i:], keptSets.lru[i+1:])
		keptSets.lru[len(keptSets.lru)-1] = keptSet{}
	}
	evicted := pushKept(keptSet{key: k, set: set})
	keptSets.mu.Unlock()
	closeListSet(twin)
	closeListSet(evicted)
}

// findKept returns the index of k's entry, or -1. The caller holds mu.
func findKept(k listKey) int {
	for i, e := range keptSets.lru {
		if (e.set != nil || e.key.n != 0) && e.key == k {
			return i
		}
	}
	return -1
}

// pushKept puts e first and returns the set pushed out of the last place.
// The caller holds mu.
func pushKept(e keptSet) *listSet {
	lru := &keptSets.lru
	evicted := lru[len(lru)-1].set
	copy(lru[1:], lru[:])
	lru[0] = e
	return evicted
}

func closeListSet(set *listSet) {
	if set != nil {
		set.close()
	}
}

func init() { idle.Register(closeIdlePollSets) }

// closeIdlePollSets releases the kept sets (for leak checks, which count
// descriptors).
func closeIdlePollSets() {
	keptSets.mu.Lock()
	lru := keptSets.lru
	keptSets.lru = [keptSetsMax]keptSet{}
	keptSets.mu.Unlock()
	for _, e := range lru {
		closeListSet(e.set)
	}
}
