// Command workload reproduces the hot path of a JSON-heavy Go service, so
// that gotrace's examples (examples/*.gt) have something real to trace.
//
// Each operation handles one request: a JSON document nested five levels
// deep plus a "k=v;k=v" metrics line, both as []byte off the wire. It
//
//   - decodes the document into map[string]interface{} with json.Unmarshal;
//   - splits dotted config keys such as "user.name" with strings.Split and
//     files them into per-section maps;
//   - looks up dotted paths ("user.profile.address.geo.lat") in the nested
//     maps and parses the values with strconv.ParseFloat;
//   - parses the metrics line, converting each field with string(b);
//   - fills every map from zero capacity, so maps grow as they fill.
//
// -mode picks which of the service's optimizations are on. Each mode adds
// one to the previous, so compare_modes.sh shows each step's effect:
//
//	baseline  as above
//	prealloc  maps made with capacity; config keys split once and cached,
//	          or cut at the first dot with strings.Index
//	unsafe    also: metrics fields become strings without a copy. Go 1.20's
//	          unsafe.String(&b[0], len(b)) is not in Go 1.19 (Debian 12's
//	          Go), so this uses the 1.19 equivalent *(*string)(unsafe.Pointer(&b)).
//	          It is safe here because request bytes are never modified.
//	struct    also: the document is decoded into a struct, not a map
//
// It runs until -duration has passed, -ops requests are done, or it gets
// SIGINT/SIGTERM. -workers 0 does the set-up and exits, which lets
// compare_modes.sh count the allocations that are not per request.
//
// Progress goes to stderr (under `gotrace -c` stdout is the tracer's):
// ops/sec every -report interval and a final line at the end, when
// it stops. The final line also has the
// Go runtime's own count of heap allocations (runtime.MemStats.Mallocs,
// which counts every mallocgc call that allocates, tiny ones included)
// since the workers started, a cross-check for what gotrace counts:
//
//	workload: mode=baseline workers=2 ops=125761 elapsed=3.03s ops/sec=41565 mallocs=... mallocs/op=...
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A request as it comes off the wire.
type request struct {
	doc     []byte
	metrics []byte
}

// A handler processes one request and returns a checksum, so that the
// compiler cannot drop the work.
type handler func(r *request) float64

var modes = map[string]func() handler{
	"baseline": newBaseline,
	"prealloc": newPrealloc,
	"unsafe":   newUnsafe,
	"struct":   newStruct,
}

// run is the state the workers share.
type run struct {
	reqs    []request
	limit   int64        // -ops; 0: no limit
	tickets atomic.Int64 // requests claimed, when limited
	ops     atomic.Int64 // requests done
	stop    atomic.Bool
}

func main() {
	mode := flag.String("mode", "baseline", "baseline, prealloc, unsafe or struct")
	duration := flag.Duration("duration", 0, "run for this long (0: no limit)")
	limit := flag.Int64("ops", 0, "stop after this many requests (0: no limit)")
	workers := flag.Int("workers", 2, "goroutines handling requests (0: set up and exit)")
	report := flag.Duration("report", 2*time.Second, "print ops/sec this often (0: only at the end)")
	flag.Parse()

	mk, ok := modes[*mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "workload: unknown -mode %q (baseline, prealloc, unsafe, struct)\n", *mode)
		os.Exit(2)
	}
	r := &run{reqs: makeRequests(64), limit: *limit}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r.work(mk(), w)
		}(w)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.waitForEnd(done, *duration, *report, start, *mode)
	r.stop.Store(true)
	<-done
	el := time.Since(start).Seconds()
	runtime.ReadMemStats(&after)
	n := r.ops.Load()
	mallocs := after.Mallocs - before.Mallocs
	fmt.Fprintf(os.Stderr, "workload: mode=%s workers=%d ops=%d elapsed=%.2fs ops/sec=%.0f mallocs=%d mallocs/op=%.1f\n",
		*mode, *workers, n, el, float64(n)/el, mallocs, float64(mallocs)/float64(maxInt64(n, 1)))
}

// work is one worker goroutine: requests in a loop until told to stop or
// the -ops limit is reached.
func (r *run) work(h handler, w int) {
	var sum float64
	for i := w; !r.stop.Load(); i++ {
		if r.limit > 0 && r.tickets.Add(1) > r.limit {
			break
		}
		sum += h(&r.reqs[i%len(r.reqs)])
		r.ops.Add(1)
	}
	if sum == 42 { // never true; keeps sum alive
		fmt.Fprintln(os.Stderr, sum)
	}
}

// waitForEnd returns when the workers are done, the duration has passed
// or a signal came, printing the rate every report interval meanwhile.
func (r *run) waitForEnd(done <-chan struct{}, d, report time.Duration, start time.Time, mode string) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	var end <-chan time.Time
	if d > 0 {
		end = time.After(d)
	}
	var tick <-chan time.Time
	if report > 0 {
		t := time.NewTicker(report)
		defer t.Stop()
		tick = t.C
	}
	last, lastT := int64(0), start
	for {
		select {
		case <-done:
			return
		case <-sig:
			return
		case <-end:
			return
		case now := <-tick:
			n := r.ops.Load()
			fmt.Fprintf(os.Stderr, "workload: mode=%s ops/sec=%.0f\n", mode,
				float64(n-last)/now.Sub(lastT).Seconds())
			last, lastT = n, now
		}
	}
}

func maxInt64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
