//go:build unix

package features

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time of the process. Benchmarks
// report it per op ("cpu-ns/op") beside wall time, which on a shared,
// overloaded machine mostly measures waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
