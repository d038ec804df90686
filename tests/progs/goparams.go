// goparams: a Go target whose traced function mixes parameter kinds, for
// go_arg("name") and go_str("name") (DWARF parameter names).
//
// Usage: goparams
// Calls main.greet(i, "gopher", []string{"a", "b"}, 1.5, true) for i = 0..2.
// In Go's register ABI: n is word 0, name words 1-2, tags words 3-5, f goes
// to X0 (no integer word), ok is word 6.
package main

import "os"

//go:noinline
func greet(n int, name string, tags []string, f float64, ok bool) int {
	if ok {
		return n + len(name) + len(tags)
	}
	return int(f)
}

func main() {
	s := 0
	for i := 0; i < 3; i++ {
		s += greet(i, "gopher", []string{"a", "b"}, 1.5, true)
	}
	if s < 0 {
		os.Exit(1)
	}
}
