// gospin: goroutines that each burn CPU in their own function, for
// goroutine-aware CPU profiles (profile probes with goid and go_ustack).
//
// Usage: gospin [SECONDS]
// Starts three goroutines running main.spinA, main.spinB and main.spinC
// for SECONDS (default 1), each printing "goid N main.spinX" first, with N
// parsed from runtime.Stack's "goroutine N [" header: the oracle for which
// goroutine a sample of each function belongs to. Then each writes one
// line to /dev/null from its own goroutine (a write(2) for tracepoints).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func goid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	n, _ := strconv.Atoi(f[1])
	return n
}

var sink [3]uint64

//go:noinline
func work(i int, x uint64) uint64 {
	for k := 0; k < 1000; k++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func spinA(until time.Time) { spin(0, until) }

//go:noinline
func spinB(until time.Time) { spin(1, until) }

//go:noinline
func spinC(until time.Time) { spin(2, until) }

func spin(i int, until time.Time) {
	x := uint64(i)
	for time.Now().Before(until) {
		x = work(i, x)
	}
	sink[i] = x
}

func main() {
	secs := 1.0
	if len(os.Args) > 1 {
		secs, _ = strconv.ParseFloat(os.Args[1], 64)
	}
	null, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
	if err != nil {
		os.Exit(1)
	}
	until := time.Now().Add(time.Duration(secs * float64(time.Second)))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, f := range []func(time.Time){spinA, spinB, spinC} {
		wg.Add(1)
		go func(i int, f func(time.Time)) {
			defer wg.Done()
			mu.Lock()
			fmt.Printf("goid %d main.spin%c\n", goid(), 'A'+i)
			mu.Unlock()
			f(until)
			fmt.Fprintf(null, "goroutine %d done\n", goid())
		}(i, f)
	}
	wg.Wait()
}
