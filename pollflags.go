package nspr

import "strconv"

// PollFlags is a set of PR_POLL_* bits, used both for the events asked for
// (in_flags) and the events reported (out_flags).
type PollFlags int16

// Poll flags (PR_POLL_*).
const (
	PollRead   PollFlags = 0x1  // PR_POLL_READ: readable, or a connection to accept
	PollWrite  PollFlags = 0x2  // PR_POLL_WRITE: writable, or a connect finished
	PollExcept PollFlags = 0x4  // PR_POLL_EXCEPT: out-of-band data
	PollErr    PollFlags = 0x8  // PR_POLL_ERR: an error is pending (out only)
	PollNval   PollFlags = 0x10 // PR_POLL_NVAL: the descriptor is not valid (out only)
	PollHup    PollFlags = 0x20 // PR_POLL_HUP: the peer hung up (out only)
)

var pollFlagNames = []flagName[PollFlags]{
	{PollRead, "PR_POLL_READ"},
	{PollWrite, "PR_POLL_WRITE"},
	{PollExcept, "PR_POLL_EXCEPT"},
	{PollErr, "PR_POLL_ERR"},
	{PollNval, "PR_POLL_NVAL"},
	{PollHup, "PR_POLL_HUP"},
}

// String returns the NSPR names of the bits joined by "|", "0" for none.
func (f PollFlags) String() string {
	return joinFlagNames(f, pollFlagNames, func(rest PollFlags) string { return strconv.FormatInt(int64(uint16(rest)), 16) })
}

// The in-flags a Poll entry or a Poller may ask for, and the out-flags
// reported whether asked for or not (as PR_Poll does).
const (
	pollInFlags  = PollRead | PollWrite | PollExcept // what an entry may ask for
	pollOutExtra = PollErr | PollNval | PollHup      // reported whether asked or not
)
