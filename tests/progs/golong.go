// golong: a long-running Go target, for -p tests, the demo and the start-up
// benchmark.
//
// Runs until killed. Four goroutines loop forever: each calls the noinline
// main.step and allocates (so runtime.mallocgc fires), then sleeps 1 ms.
package main

import (
	"strings"
	"time"
)

var sink [4][]string

//go:noinline
func step(id, i int) int {
	return id*1000 + i%1000
}

func worker(id int) {
	for i := 0; ; i++ {
		v := step(id, i)
		sink[id] = strings.Split(strings.Repeat("ab,", v%7+1), ",")
		time.Sleep(time.Millisecond)
	}
}

func main() {
	for id := 1; id < 4; id++ {
		go worker(id)
	}
	worker(0)
}
