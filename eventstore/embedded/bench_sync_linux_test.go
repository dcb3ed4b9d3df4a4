package embedded_test

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data and the metadata needed to read it back, which
// is all a log append needs and what pebble itself calls on Linux.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
