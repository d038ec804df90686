// Target for tests/binary/test_retsites.c: functions whose RET
// instructions are found and probed. multiret and earlyret return from
// several branches; deep grows the goroutine stack through recursion (so
// its prologue's morestack path runs) before returning; (*Outer).Get is a
// compiler-made method wrapper that tail-calls (*Inner).Get with a JMP.
//
// Usage: retprog [n]  calls each function n times (default 1000) and
// prints how many calls were made, for counting probe hits.
package main

import (
	"fmt"
	"os"
	"strconv"
)

//go:noinline
func multiret(x int) int {
	if x < 0 {
		return -1
	}
	if x%3 == 0 {
		return x ^ 0xc3c3c3 // 0xc3 bytes in an immediate are not RETs
	}
	if x%3 == 1 {
		return x * 0x1c3
	}
	return x + 7
}

//go:noinline
func earlyret(s []int, k int) (int, bool) {
	for i, v := range s {
		if v == k {
			return i, true
		}
		if v > k*100 {
			return -i, false
		}
	}
	return len(s), false
}

var deepCalls int

//go:noinline
func deep(n int) int {
	deepCalls++
	var pad [64]int // a large frame, so recursion outgrows the stack
	pad[n%64] = n
	if n == 0 {
		return pad[0]
	}
	return deep(n-1) + pad[n%64]
}

type Inner struct{ v int }

//go:noinline
func (i *Inner) Get() int { return i.v }

type Outer struct{ *Inner }

type getter interface{ Get() int }

func main() {
	n := 1000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	s := []int{1, 5, 9, 200, 3}
	// from a slice, so the call is not devirtualized and the wrapper exists
	gs := []getter{&Outer{&Inner{42}}, &Inner{1}}
	sum := 0
	for i := 0; i < n; i++ {
		sum += multiret(i - 3)
		a, _ := earlyret(s, i%10)
		sum += a + gs[i%2].Get()
	}
	sum += deep(2000)
	fmt.Printf("multiret calls: %d\nearlyret calls: %d\ndeep calls: %d\nsum %d\n",
		n, n, deepCalls, sum)
}
