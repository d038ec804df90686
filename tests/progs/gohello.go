// gohello: a Go target for uprobe tests.
//
// Usage: gohello [N]
// Calls the noinline main.add(i, 10*i) for i = 1..N (default 3) on the main
// goroutine, allocating a fresh slice each round so runtime.mallocgc is hit,
// then exits 0. Each round also runs main.deep(200) on a fresh goroutine:
// deep recurses with a 256-byte frame, so the goroutine's stack grows and is
// copied several times, which is what breaks naive return probes on Go.
// main.add takes its arguments in AX and BX (Go's register ABI
// on amd64), which is how tests check go_arg against reg("ax")/reg("bx").
// It writes nothing to stdout, since under -c it would mix with the tracer's.
package main

import (
	"os"
	"strconv"
)

var sink []byte

//go:noinline
func add(a, b int) int {
	return a + b
}

// deep returns n after recursing n levels; the buffer makes each frame big.
//
//go:noinline
func deep(n int) int {
	var buf [256]byte
	buf[n%256] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return deep(n-1) + 1 + int(buf[(n+1)%256])
}

//go:noinline
func work(i int) {
	sink = make([]byte, 64+i)
}

func main() {
	n := 3
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	total := 0
	for i := 1; i <= n; i++ {
		total += add(i, 10*i)
		work(i)
		done := make(chan int)
		go func() { done <- deep(200) }()
		total += <-done
	}
	if total < 0 {
		os.Exit(2)
	}
}
