package nspr

import (
	"math"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Interval is NSPR's PRIntervalTime: a count of platform ticks, 1000 a second
// here. It is unsigned and 32 bits wide, so it wraps after about 49.7 days;
// elapsed time is always computed as now - then, which survives the wrap.
//
// Every blocking call takes an Interval: IntervalNoWait tries once and never
// waits, IntervalNoTimeout waits without limit, anything else is a deadline
// that far from the start of the call.
type Interval uint32

// Special intervals and the bounds of TicksPerSecond.
const (
	IntervalNoWait    Interval = 0          // PR_INTERVAL_NO_WAIT: one attempt, no waiting
	IntervalNoTimeout Interval = 0xffffffff // PR_INTERVAL_NO_TIMEOUT: wait without limit
	IntervalMin       Interval = 1000       // PR_INTERVAL_MIN: the fewest ticks a second NSPR allows
	IntervalMax       Interval = 100000     // PR_INTERVAL_MAX: the most ticks a second NSPR allows
)

// ticksPerSecond is PR_TicksPerSecond() on Linux (and the Unix ports NSPR
// builds with millisecond intervals).
const ticksPerSecond = 1000

const (
	msecPerSec = 1000
	usecPerSec = 1000000
)

// TicksPerSecond returns the number of Interval ticks in a second
// (PR_TicksPerSecond): 1000.
func TicksPerSecond() uint32 { return ticksPerSecond }

// IntervalNow returns the current tick count (PR_IntervalNow): the monotonic
// clock in milliseconds, truncated to 32 bits. Only differences between two
// values mean anything.
func IntervalNow() Interval {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return Interval(uint64(time.Since(processStart).Milliseconds()))
	}
	ms := uint64(ts.Sec)*msecPerSec + uint64(ts.Nsec)/1e6
	return Interval(ms)
}

var processStart = time.Now()

// SecondsToInterval converts seconds to ticks (PR_SecondsToInterval). Like
// NSPR it multiplies in 32 bits, so results past 2^32-1 wrap.
func SecondsToInterval(seconds uint32) Interval {
	return Interval(seconds * ticksPerSecond)
}

// MillisecondsToInterval converts milliseconds to ticks, rounding half up
// (PR_MillisecondsToInterval).
func MillisecondsToInterval(milli uint32) Interval {
	return Interval((uint64(milli)*ticksPerSecond + msecPerSec/2) / msecPerSec)
}

// MicrosecondsToInterval converts microseconds to ticks, rounding half up
// (PR_MicrosecondsToInterval): 499 µs is 0 ticks, 500 µs is 1.
func MicrosecondsToInterval(micro uint32) Interval {
	return Interval((uint64(micro)*ticksPerSecond + usecPerSec/2) / usecPerSec)
}

// IntervalToSeconds converts ticks to whole seconds, truncating
// (PR_IntervalToSeconds).
func IntervalToSeconds(ticks Interval) uint32 { return uint32(ticks) / ticksPerSecond }

// IntervalToMilliseconds converts ticks to milliseconds, rounding half up
// (PR_IntervalToMilliseconds).
func IntervalToMilliseconds(ticks Interval) uint32 {
	return uint32((uint64(ticks)*msecPerSec + ticksPerSecond/2) / ticksPerSecond)
}

// IntervalToMicroseconds converts ticks to microseconds
// (PR_IntervalToMicroseconds). The result is 32 bits, as NSPR's is, so
// intervals beyond about 71 minutes wrap.
func IntervalToMicroseconds(ticks Interval) uint32 {
	return uint32((uint64(ticks)*usecPerSec + ticksPerSecond/2) / ticksPerSecond)
}

// DurationToInterval converts a Go duration to ticks for a blocking call.
// Zero or negative durations give IntervalNoWait; partial ticks round up, so a
// call never gives up before the duration has passed; durations too long to
// express stop one tick short of IntervalNoTimeout.
func DurationToInterval(d time.Duration) Interval {
	if d <= 0 {
		return IntervalNoWait
	}
	ticks := d / time.Millisecond
	if d%time.Millisecond != 0 {
		ticks++
	}
	if ticks >= time.Duration(IntervalNoTimeout) {
		return IntervalNoTimeout - 1
	}
	return Interval(ticks)
}

// Duration returns the interval as a Go duration. IntervalNoTimeout, which
// means "no limit", gives the largest duration Go can express.
func (i Interval) Duration() time.Duration {
	if i == IntervalNoTimeout {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(i) * time.Millisecond
}

// String prints the special intervals by their NSPR names and others as a
// tick count.
func (i Interval) String() string {
	switch i {
	case IntervalNoWait:
		return "PR_INTERVAL_NO_WAIT"
	case IntervalNoTimeout:
		return "PR_INTERVAL_NO_TIMEOUT"
	}
	return strconv.FormatUint(uint64(i), 10) + " ticks"
}
