//go:build !linux

package asof_test

import "time"

// threadCPU is unknown here; benchmarks then report wall-clock figures only.
func threadCPU() time.Duration { return 0 }
