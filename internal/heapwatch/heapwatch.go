// Package heapwatch measures how much the heap grows while some code runs,
// for the tests and benchmarks that bound memory: sampled every
// millisecond, with the total allocated as a bound that sampling cannot
// miss.
package heapwatch

import (
	"runtime"
	"sync"
	"time"
)

// Growth is how much the heap grew at most above where it was before fn
// ran: live objects (HeapAlloc) and spans in use (HeapInuse), and the
// bytes fn allocated in all.
type Growth struct {
	Alloc, Inuse, Allocated uint64
}

// Measure runs fn and returns how much the heap grew.
func Measure(fn func()) Growth {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var mu sync.Mutex
	alloc, inuse := before.HeapAlloc, before.HeapInuse
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				alloc, inuse = max(alloc, m.HeapAlloc), max(inuse, m.HeapInuse)
				mu.Unlock()
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	mu.Lock()
	defer mu.Unlock()
	alloc, inuse = max(alloc, after.HeapAlloc), max(inuse, after.HeapInuse)
	return Growth{Alloc: alloc - min(alloc, before.HeapAlloc), Inuse: inuse - min(inuse, before.HeapInuse),
		Allocated: after.TotalAlloc - before.TotalAlloc}
}
