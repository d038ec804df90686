// gohello: a Go target for uprobe tests.
//
// Usage: gohello [N]
// Calls the noinline main.add(i, 10*i) for i = 1..N (default 3) on the main
// goroutine, allocating a fresh slice each round so runtime.mallocgc is hit,
// then exits 0. main.add takes its arguments in AX and BX (Go's register ABI
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
	}
	if total < 0 {
		os.Exit(2)
	}
}
