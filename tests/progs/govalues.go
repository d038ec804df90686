// govalues: a Go target whose traced functions take and return values of
// every kind go expressions read: integers of each width and sign, bool,
// strings, slices, arrays, nested and embedded structs, pointer chains
// ending in nil, maps, chans and interfaces, a struct passed by value in
// registers and an array passed on the stack.
//
// Usage: govalues
// Calls, in this order:
//
//	visit(a, -300000, Point{-5, 6}, "first")  -> ("alpha!", -600000)
//	visit(b, 1, Point{7, -8}, "second")       -> ("beta!", 2)
//	visit(c, 2, Point{0, 0}, "third")         -> ("gamma!", 4)
//	onstack([4]int{1, 2, 3, 4}, 99)
//
// with the list a -> b -> c -> nil built below. In Go's register ABI,
// visit's n is word 0, depth 1, p words 2-3 (X, Y), label 4-5; its results
// name 0-1 and code 2. onstack's b does not fit in registers (an array of
// more than one element never does), so x is word 0.
package main

import "os"

type Point struct{ X, Y int32 }

type Base struct {
	ID  uint16
	Tag string
}

type Node struct {
	Base
	Name  string
	Next  *Node
	Vals  []int64
	Grid  [3]int8
	Attrs map[string]int
	Ch    chan int
	Err   error
	Any   interface{}
	Pt    Point
	Ok    bool
}

type codeError struct{ code int }

func (e *codeError) Error() string { return "code error" }

//go:noinline
func visit(n *Node, depth int32, p Point, label string) (name string, code int32) {
	if n.Ok && p.X > 100 {
		return label, depth
	}
	return n.Name + "!", depth * 2
}

//go:noinline
func onstack(b [4]int, x int) int {
	return b[0] + x
}

// Converted to interfaces, so even a stripped binary keeps their runtime
// type descriptors (go_cast needs *main.Node's).
var sink []interface{}

func main() {
	c := &Node{Name: "gamma", Any: 42}
	ch := make(chan int, 4)
	ch <- 1
	ch <- 2
	b := &Node{Base: Base{8, "base-b"}, Name: "beta", Next: c, Any: "str",
		Grid: [3]int8{4, 5, 6}}
	a := &Node{Base: Base{7, "base-a"}, Name: "alpha", Next: b,
		Vals: []int64{10, -20, 30}, Grid: [3]int8{-1, 2, -3},
		Attrs: map[string]int{"x": 1, "y": 2}, Ch: ch,
		Err: &codeError{5}, Any: &Point{1, 2}, Pt: Point{-300000, 42}, Ok: true}
	sink = append(sink, a, Point{})

	s := 0
	for i, n := range []*Node{a, b, c} {
		labels := []string{"first", "second", "third"}
		pts := []Point{{-5, 6}, {7, -8}, {0, 0}}
		name, code := visit(n, []int32{-300000, 1, 2}[i], pts[i], labels[i])
		s += len(name) + int(code)
	}
	s += onstack([4]int{1, 2, 3, 4}, 99)
	if s == 0 {
		os.Exit(1)
	}
}

// Pair is never converted to an interface: a stripped binary has no
// runtime type descriptor for it, only DWARF knows it.
type Pair struct{ A, B int }

//go:noinline
func sumPair(p *Pair) int { return p.A + p.B }

func init() {
	if sumPair(&Pair{1, 2}) != 3 {
		os.Exit(1)
	}
}
