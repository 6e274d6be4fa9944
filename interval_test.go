package nspr

import (
	"math"
	"testing"
	"time"
)

// Expected values were checked against the original:
// /usr/bin/python3 -c 'import nss.io as io; print(io.microseconds_to_interval(500))'.
func TestIntervalConversions(t *testing.T) {
	const max32 = math.MaxUint32
	tests := []struct {
		name string
		f    func(uint32) uint32
		in   uint32
		want uint32
	}{
		{"SecondsToInterval", secs, 0, 0},
		{"SecondsToInterval", secs, 1, 1000},
		{"SecondsToInterval", secs, 4294967, 4294967000},
		{"SecondsToInterval", secs, 4294968, 704},
		{"SecondsToInterval", secs, max32, 4294966296},
		{"MillisecondsToInterval", millis, 0, 0},
		{"MillisecondsToInterval", millis, 1, 1},
		{"MillisecondsToInterval", millis, 499, 499},
		{"MillisecondsToInterval", millis, 1500, 1500},
		{"MillisecondsToInterval", millis, max32, max32},
		{"MicrosecondsToInterval", micros, 0, 0},
		{"MicrosecondsToInterval", micros, 1, 0},
		{"MicrosecondsToInterval", micros, 499, 0},
		{"MicrosecondsToInterval", micros, 500, 1},
		{"MicrosecondsToInterval", micros, 1499, 1},
		{"MicrosecondsToInterval", micros, 1500, 2},
		{"MicrosecondsToInterval", micros, max32, 4294967},
		{"IntervalToSeconds", toSecs, 0, 0},
		{"IntervalToSeconds", toSecs, 999, 0},
		{"IntervalToSeconds", toSecs, 1500, 1},
		{"IntervalToSeconds", toSecs, max32, 4294967},
		{"IntervalToMilliseconds", toMillis, 0, 0},
		{"IntervalToMilliseconds", toMillis, 1, 1},
		{"IntervalToMilliseconds", toMillis, 500, 500},
		{"IntervalToMilliseconds", toMillis, max32, max32},
		{"IntervalToMicroseconds", toMicros, 0, 0},
		{"IntervalToMicroseconds", toMicros, 1, 1000},
		{"IntervalToMicroseconds", toMicros, 499, 499000},
		{"IntervalToMicroseconds", toMicros, 1500, 1500000},
		{"IntervalToMicroseconds", toMicros, 4294968, 704},
		{"IntervalToMicroseconds", toMicros, max32, 4294966296},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%d) = %d, want %d", tt.name, tt.in, got, tt.want)
		}
	}
}

func secs(x uint32) uint32     { return uint32(SecondsToInterval(x)) }
func millis(x uint32) uint32   { return uint32(MillisecondsToInterval(x)) }
func micros(x uint32) uint32   { return uint32(MicrosecondsToInterval(x)) }
func toSecs(x uint32) uint32   { return IntervalToSeconds(Interval(x)) }
func toMillis(x uint32) uint32 { return IntervalToMilliseconds(Interval(x)) }
func toMicros(x uint32) uint32 { return IntervalToMicroseconds(Interval(x)) }

func TestTicksPerSecond(t *testing.T) {
	tps := TicksPerSecond()
	if tps != 1000 {
		t.Fatalf("TicksPerSecond() = %d, want 1000", tps)
	}
	if tps < uint32(IntervalMin) || tps > uint32(IntervalMax) {
		t.Fatalf("TicksPerSecond() = %d outside [PR_INTERVAL_MIN, PR_INTERVAL_MAX]", tps)
	}
}

func TestIntervalNowTracksMonotonicMilliseconds(t *testing.T) {
	start, wall := IntervalNow(), time.Now()
	time.Sleep(50 * time.Millisecond)
	elapsed := IntervalNow() - start // wrap-safe by construction
	real := time.Since(wall)
	if d := elapsed.Duration() - real; d < -5*time.Millisecond || d > 5*time.Millisecond {
		t.Fatalf("IntervalNow advanced %v over %v of real time", elapsed.Duration(), real)
	}
}

func TestIntervalElapsedSurvivesWrap(t *testing.T) {
	then := Interval(math.MaxUint32 - 10)
	now := then + 25 // wraps past zero
	if elapsed := now - then; elapsed != 25 {
		t.Fatalf("elapsed across the wrap = %d, want 25", elapsed)
	}
}

func TestDurationToInterval(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want Interval
	}{
		{-time.Second, IntervalNoWait},
		{0, IntervalNoWait},
		{time.Nanosecond, 1}, // rounds up: never wait less than asked
		{time.Millisecond, 1},
		{1500 * time.Microsecond, 2},
		{2 * time.Second, 2000},
		{time.Duration(math.MaxInt64), IntervalNoTimeout - 1},
	}
	for _, tt := range tests {
		if got := DurationToInterval(tt.d); got != tt.want {
			t.Errorf("DurationToInterval(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestIntervalDuration(t *testing.T) {
	tests := []struct {
		i    Interval
		want time.Duration
	}{
		{IntervalNoWait, 0},
		{1, time.Millisecond},
		{1500, 1500 * time.Millisecond},
		{IntervalNoTimeout - 1, time.Duration(IntervalNoTimeout-1) * time.Millisecond},
		{IntervalNoTimeout, time.Duration(math.MaxInt64)},
	}
	for _, tt := range tests {
		if got := tt.i.Duration(); got != tt.want {
			t.Errorf("Interval(%d).Duration() = %v, want %v", uint32(tt.i), got, tt.want)
		}
	}
}
