// bpfstats-alloc: a busy Go workload for bench/bpfstats.
//
// Two goroutines allocate in a loop, four calls deep (main.worker ->
// main.level1 -> main.level2 -> main.alloc), so that runtime.mallocgc fires
// at a high, steady rate with a user stack at least five frames deep for
// ustack(5)/go_ustack(5). Sizes cycle through 16..4096 bytes so that a
// histogram of the size argument has several buckets. Runs until killed.
package main

import "runtime"

var sink [2][]byte

//go:noinline
func alloc(id, n int) {
	sink[id] = make([]byte, n)
}

//go:noinline
func level2(id, i int) {
	alloc(id, 16<<(i%9))
}

//go:noinline
func level1(id, i int) {
	level2(id, i)
}

func worker(id int) {
	for i := 0; ; i++ {
		level1(id, i)
		if i%1024 == 0 {
			runtime.Gosched()
		}
	}
}

func main() {
	go worker(1)
	worker(0)
}
