package embedded_test

import (
	"os"
	"syscall"
	"time"
)

// fdatasync flushes f's data and the metadata needed to read it back, which
// is all a log append needs and what pebble itself calls on Linux.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// processCPU is the CPU time (user and system) the process has used so far.
// On a shared machine throughput depends on the neighbours; the CPU an
// event costs much less so.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
