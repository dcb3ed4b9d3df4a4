//go:build unix

package casegen_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used, so a
// benchmark on a shared machine can report throughput per CPU second
// rather than per wall-clock second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
