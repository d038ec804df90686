// goharm: a Go program that checks its own results while doing what Go
// return probes could break: panics and recovers at every depth, stack
// growth (deep recursion with big frames, so stacks are copied while
// functions on them are probed), goroutines that exit by returning and by
// runtime.Goexit, and deferred calls. tests/harm/ runs it with a uprobe
// and a uretprobe on every main.* function: a wrong return address, a
// clobbered register or a corrupted stack shows up as a wrong sum, a
// crash or a hang.
//
// Usage: goharm [ROUNDS]   (default 20)
// Prints "goharm: ok" and exits 0, or prints what went wrong and exits 1.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
)

type boom struct{ depth int }

// grow recurses n levels with a 512-byte frame, so the goroutine's stack
// grows and is copied many times under it; returns a checksum.
//
//go:noinline
func grow(n int) int {
	var buf [512]byte
	buf[n%512] = byte(n)
	if n == 0 {
		return 1
	}
	return grow(n-1) + int(buf[n%512]) + 1
}

// growWant is grow's result, computed without recursion.
func growWant(n int) int {
	s := 1
	for i := 1; i <= n; i++ {
		s += i%256 + 1
	}
	return s
}

// thrower recurses to depth, then panics with a boom.
//
//go:noinline
func thrower(n, depth int) int {
	if n == depth {
		panic(boom{depth})
	}
	return thrower(n+1, depth) + 1
}

// catcher calls thrower under a recover and returns the depth the panic
// came from, through a named result set by the deferred function.
//
//go:noinline
func catcher(depth int) (got int) {
	defer func() {
		if r := recover(); r != nil {
			got = r.(boom).depth
		}
	}()
	thrower(0, depth)
	return -1
}

// rethrow recovers, then panics again from the deferred function: the
// second panic must reach the outer catcher.
//
//go:noinline
func rethrow(depth int) (got int) {
	defer func() {
		if r := recover(); r != nil {
			got = r.(boom).depth
		}
	}()
	func() {
		defer func() {
			r := recover()
			panic(boom{r.(boom).depth + 1})
		}()
		thrower(0, depth)
	}()
	return -1
}

// divide returns a runtime error (division by zero) as an error.
//
//go:noinline
func divide(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = r.(error)
		}
	}()
	return a / b, nil
}

// pair returns several results in registers.
//
//go:noinline
func pair(a, b int, s string) (int, int, string, float64) {
	return a + b, a * b, s + "!", float64(a) / 2
}

// exiter runs on its own goroutine and leaves it by returning or by
// runtime.Goexit, which runs the deferred calls but never returns.
//
//go:noinline
func exiter(i int, wg *sync.WaitGroup, out []int) {
	defer wg.Done()
	defer func() { out[i] = i * 3 }()
	if i%2 == 1 {
		runtime.Goexit()
	}
	out[i] = -1 // overwritten by the deferred call
}

//go:noinline
func deferred(n int) (s int) {
	for i := 0; i < n; i++ {
		defer func(i int) { s += i }(i)
	}
	return 0
}

func check(what string, got, want interface{}) {
	if got != want {
		fmt.Printf("goharm: %s: got %v, want %v\n", what, got, want)
		os.Exit(1)
	}
}

func round(r int) {
	for d := 0; d < 200; d += 7 {
		check("catcher", catcher(d), d)
		check("rethrow", rethrow(d), d+1)
	}
	var wg sync.WaitGroup
	sums := make([]int, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			sums[g] = grow(1000 + 100*g + r)
			if catcher(50+g) != 50+g {
				sums[g] = -1
			}
		}(g)
	}
	wg.Wait()
	for g := 0; g < 8; g++ {
		check("grow on a goroutine", sums[g], growWant(1000+100*g+r))
	}
	check("grow", grow(5000+r), growWant(5000+r))
	out := make([]int, 64)
	var ewg sync.WaitGroup
	for i := range out {
		ewg.Add(1)
		go exiter(i, &ewg, out)
	}
	ewg.Wait()
	for i := range out {
		check("exiter "+strconv.Itoa(i), out[i], i*3)
	}
	_, err := divide(r, 0)
	var re runtime.Error
	check("divide by zero", errors.As(err, &re), true)
	q, err := divide(100, r+1)
	check("divide", q, 100/(r+1))
	check("divide err", err, nil)
	a, b, s, f := pair(r, 3, "x")
	check("pair", fmt.Sprint(a, b, s, f), fmt.Sprint(r+3, 3*r, "x!", float64(r)/2))
	check("deferred", deferred(r+10), (r+10)*(r+9)/2)
}

func main() {
	rounds := 20
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			rounds = v
		}
	}
	for r := 0; r < rounds; r++ {
		round(r)
	}
	fmt.Println("goharm: ok")
}
