// Test program for gotrace's binary reader (tests/golang/test_*.c).
//
// It has functions that are never inlined (//go:noinline) and small ones
// the compiler inlines, two levels deep, into outer(). When run with the
// argument "frames" it prints, as an oracle for the inline tree reader,
// the PC that runtime.Callers reports inside the inlined code and the
// frames runtime.CallersFrames gives for it:
//
//	pc 0x4a1b2c
//	frame main.inner /path/main.go 42
//	...
//
// With "frames wait" it then prints "ready" and waits for its stdin to
// close, so a test can look at it while it runs (PIE load bias, maps).
//
// With "types" it prints, as an oracle for the type descriptor reader,
// what reflect says of a few struct types: each type's package path,
// name, size and String(), then each field's name, offset, type and
// whether it is embedded:
//
//	type main layout 184 main.layout
//	field Base 0 main.Base true
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
)

type Base struct {
	ID  uint16
	Tag string
}

// layout has a field of every kind.
type layout struct {
	Base
	B   bool
	I8  int8
	U32 uint32
	F   float64
	S   string
	Sl  []int64
	A   [3]int16
	M   map[string]*layout
	C   chan error
	P   *layout
	E   error
	Any interface{}
	Fn  func(int) string
	U   uintptr
}

func printTypes() {
	for _, v := range []interface{}{layout{}, bufio.Reader{}, strings.Builder{}, os.ProcAttr{}} {
		t := reflect.TypeOf(v)
		fmt.Printf("type %s %s %d %s\n", t.PkgPath(), t.Name(), t.Size(), t.String())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fmt.Printf("field %s %d %s %v\n", f.Name, f.Offset, f.Type.String(), f.Anonymous)
		}
	}
}

type decoder struct{ n int }

//go:noinline
func (d *decoder) object(s string) int { return d.n + len(s) }

//go:noinline
func leaf(x int) int { return x*3 + 1 }

var pcs [16]uintptr
var npcs int

// capture records the stack of its caller: pcs[0] is the return address
// in inner, which the compiler inlined into middle and outer.
//
//go:noinline
func capture() {
	npcs = runtime.Callers(2, pcs[:])
}

// inner and middle are small enough to be inlined into outer.
func inner(x int) int {
	capture()
	return x + 7
}

func middle(x int) int {
	return inner(x) * 2
}

//go:noinline
func outer(x int) int {
	return middle(x) + leaf(x)
}

func main() {
	d := &decoder{n: 2}
	v := outer(len(os.Args)) + d.object("abc")
	if len(os.Args) > 1 && os.Args[1] == "types" {
		printTypes()
	}
	if len(os.Args) > 1 && os.Args[1] == "frames" {
		fmt.Printf("pc 0x%x\n", pcs[0])
		frames := runtime.CallersFrames(pcs[:npcs])
		for {
			f, more := frames.Next()
			fmt.Printf("frame %s %s %d\n", f.Function, f.File, f.Line)
			if !more || strings.HasPrefix(f.Function, "runtime.") {
				break
			}
		}
		if len(os.Args) > 2 && os.Args[2] == "wait" {
			fmt.Println("ready")
			bufio.NewReader(os.Stdin).ReadString('\n')
		}
	}
	if v < 0 {
		fmt.Println(v)
	}
}
