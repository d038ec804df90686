// gotrust: Go targets whose calls are counted exactly, for
// tests/runtime/exact.test. Each mode runs a known number of calls and
// prints that number on stderr, so a test compares what gotrace counted
// with what the program did.
//
// Usage: gotrust MODE N
//
//	methods   (*Transport).RoundTrip N times, (*http2Transport).RoundTrip
//	          2N times: an exact method name next to a look-alike
//	inline    main.small, which the compiler inlines, N times from
//	          main.siteA, 2N from main.siteB and 3N from main.siteC (6N in
//	          all), and main.notInlined N times; with a third argument,
//	          also 4N times from main.siteD (two calls on one line, a
//	          switch and an if)
//	bigframe  N fresh goroutines, each calling main.big (a 16 KB frame)
//	          once: each call grows its goroutine's stack first
//	preempt   4 goroutines calling main.spin until N calls in all, while
//	          another forces GCs, which preempt them at function entries
//	rets      main.multiret(i) for i = 1..N: a function with several RETs
//
// It writes nothing to stdout, since under -c it would mix with the
// tracer's.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

type Transport struct{ n int }
type http2Transport struct{ n int }

//go:noinline
func (t *Transport) RoundTrip(i int) int { t.n += i; return t.n }

//go:noinline
func (t *http2Transport) RoundTrip(i int) int { t.n -= i; return t.n }

var total int

// small is inlined into its three callers (it is tiny and not marked
// noinline); the sink write keeps each copy from being optimised away.
func small(x int) int {
	total += x
	return total
}

//go:noinline
func notInlined(x int) int { return x * 2 }

//go:noinline
func siteA(n int) {
	for i := 0; i < n; i++ {
		small(i)
	}
}

//go:noinline
func siteB(n int) {
	for i := 0; i < 2*n; i++ {
		if small(i) < 0 {
			return
		}
	}
}

//go:noinline
func siteC(n int) int {
	s := 0
	for i := 0; i < 3*n; i++ {
		s += small(i) & 1
	}
	return s
}

// siteD calls small twice on one line, and in a switch: 4N calls.
//
//go:noinline
func siteD(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += small(i) + small(i+1)
		switch i % 2 {
		case 0:
			s += small(s)
		default:
			s -= small(i)
		}
		if i >= 0 {
			s ^= small(s)
		}
	}
	return s
}

// big's 16 KB frame is more than a new goroutine's stack: its prologue
// sends it to runtime.morestack, which grows the stack and runs big again
// from its entry.
//
//go:noinline
func big(i int) int {
	var buf [16384]byte
	buf[i%len(buf)] = byte(i)
	return int(buf[(i+1)%len(buf)]) + i
}

var spins atomic.Int64

//go:noinline
func leaf(i int) int { return i * 3 }

// spin calls leaf, so it is not a leaf itself and its prologue checks the
// stack bound, which the runtime poisons to preempt it.
//
//go:noinline
func spin(i int) int { spins.Add(1); return leaf(i) }

//go:noinline
func multiret(i int) int {
	switch i % 3 {
	case 0:
		return i
	case 1:
		return -i
	}
	return i * 2
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gotrust methods|inline|bigframe|preempt|rets N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 0 {
		os.Exit(2)
	}
	calls := 0
	switch os.Args[1] {
	case "methods":
		t, h := &Transport{}, &http2Transport{}
		for i := 0; i < n; i++ {
			t.RoundTrip(i)
			h.RoundTrip(i)
			h.RoundTrip(i)
		}
		calls = n
	case "inline":
		siteA(n)
		siteB(n)
		siteC(n)
		if len(os.Args) > 3 {
			siteD(n)
			calls += 4 * n
		}
		for i := 0; i < n; i++ {
			notInlined(i)
		}
		calls += 6 * n
	case "bigframe":
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); big(i) }(i)
		}
		wg.Wait()
		calls = n
	case "preempt":
		runtime.GOMAXPROCS(2)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
					runtime.GC()
				}
			}
		}()
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for spins.Load() < int64(n) {
					spin(g)
				}
			}()
		}
		wg.Wait()
		close(stop)
		calls = int(spins.Load())
	case "rets":
		for i := 1; i <= n; i++ {
			multiret(i)
		}
		calls = n
	default:
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "gotrust: %d calls\n", calls)
}
