//go:build linux

package asof_test

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU is the CPU time the calling OS thread has used. On a shared
// machine a call's wall-clock time includes waiting for a core; its thread
// CPU time does not, so a benchmark reports both. (getrusage counts in
// scheduler ticks, too coarse for one call; this clock counts nanoseconds.)
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
