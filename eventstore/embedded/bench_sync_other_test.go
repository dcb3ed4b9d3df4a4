//go:build !linux

package embedded_test

import (
	"os"
	"time"
)

// fdatasync falls back to a full fsync where the system has no fdatasync.
func fdatasync(f *os.File) error { return f.Sync() }

// processCPU is not measured here; the benchmarks report 0.
func processCPU() time.Duration { return 0 }
