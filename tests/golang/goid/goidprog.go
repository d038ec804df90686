// goidprog: the oracle for gotrace's goid builtin.
//
// Many goroutines call the noinline main.traced(seq) over and over, with
// blocking operations between calls (sleeps, channel hand-offs between
// pairs of goroutines, Gosched) so that, with GOMAXPROCS=2, goroutines
// keep moving between threads and Ms. Before each call the goroutine reads
// its own id the way the runtime reports it, from the "goroutine N [" header
// of runtime.Stack, and records "seq goid". seq is unique per call and is
// passed to traced as its first argument and returned as its result, so a
// tracer printing go_arg(0) (at entry) or retval (at a RET) with goid can
// be matched call by call against this file.
//
//	goidprog -o FILE [-g GOROUTINES] [-n CALLS_PER_GOROUTINE] [-grow]
//
// The records go to FILE (not stdout, which the tracer shares); the last
// line of FILE is "calls N". With -grow, every odd-numbered goroutine
// first recurses deeply, so that its stack grows several times through
// runtime.newstack, which runs on the system stack (g0), and records
// "grew GOID".
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	seqNext int64
	sink    int64
)

// runtimeGoid parses the current goroutine's id out of runtime.Stack.
func runtimeGoid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	end := bytes.IndexByte(b, ' ')
	if end < 0 {
		panic("runtime.Stack header: " + string(buf[:]))
	}
	id, err := strconv.ParseInt(string(b[:end]), 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

//go:noinline
func mix(x int64) int64 {
	return x*2654435761 ^ x>>7
}

// traced is the probed function. It has a real frame (it calls mix), so it
// has a prologue to probe past, and two return paths, so a Go return probe
// has more than one RET site. It returns seq in both.
//
//go:noinline
func traced(seq int64) int64 {
	if seq%3 == 0 {
		atomic.AddInt64(&sink, 1)
		return seq
	}
	atomic.AddInt64(&sink, mix(seq))
	return seq
}

// grow recurses n frames of about 1 KiB each.
//
//go:noinline
func grow(n int) int64 {
	var pad [1000]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return int64(pad[0])
	}
	return grow(n-1) + int64(pad[n%len(pad)])
}

// rec is one call (seq > 0) or, with seq 0, a goroutine that grew its stack.
type rec struct{ seq, goid int64 }

// worker makes n calls; between calls it blocks in a way that depends on
// the call number. ping/pong pair it with a partner goroutine.
func worker(id, n int, grows bool, ping, pong chan int, out chan<- rec) {
	if grows {
		atomic.AddInt64(&sink, grow(100))
		out <- rec{0, runtimeGoid()}
	}
	for i := 0; i < n; i++ {
		seq := atomic.AddInt64(&seqNext, 1)
		g := runtimeGoid()
		if traced(seq) != seq {
			panic("traced returned the wrong value")
		}
		out <- rec{seq, g}
		switch (id + i) % 4 {
		case 0:
			time.Sleep(time.Duration(50+(id*37+i*11)%400) * time.Microsecond)
		case 1:
			select {
			case ping <- i:
			case <-pong:
			case <-time.After(300 * time.Microsecond):
			}
		case 2:
			runtime.Gosched()
		case 3:
			select {
			case <-ping:
			case pong <- i:
			case <-time.After(200 * time.Microsecond):
			}
		}
	}
}

func main() {
	outPath := flag.String("o", "", "file for the \"seq goid\" records")
	ngo := flag.Int("g", 64, "goroutines")
	ncalls := flag.Int("n", 40, "calls per goroutine")
	growOdd := flag.Bool("grow", false, "odd goroutines grow their stacks first")
	flag.Parse()
	if *outPath == "" {
		fmt.Fprintln(os.Stderr, "usage: goidprog -o FILE [-g N] [-n N]")
		os.Exit(2)
	}
	f, err := os.Create(*outPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	out := make(chan rec, 256)
	done := make(chan int)
	go func() {
		n := 0
		for r := range out {
			if r.seq == 0 {
				fmt.Fprintf(w, "grew %d\n", r.goid)
				continue
			}
			fmt.Fprintf(w, "%d %d\n", r.seq, r.goid)
			n++
		}
		done <- n
	}()
	var wg sync.WaitGroup
	for id := 0; id < *ngo; id += 2 {
		ping, pong := make(chan int), make(chan int)
		for k := 0; k < 2 && id+k < *ngo; k++ {
			wg.Add(1)
			go func(id int) {
				defer wg.Done()
				worker(id, *ncalls, *growOdd && id%2 == 1, ping, pong, out)
			}(id + k)
		}
	}
	wg.Wait()
	close(out)
	fmt.Fprintf(w, "calls %d\n", <-done)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
