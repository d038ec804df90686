// bpfstats-values: a Go workload for bench/bpfstats --values. Two
// goroutines hand real *net/http.Request values (made once by
// http.NewRequest, four paths) to main.handle in a loop, as a server hands
// them to its handlers; the probe reads r.URL.Path.
package main

import (
	"net/http"
	"os"
)

var paths = []string{"/api/users", "/static/js/app.min.js", "/", "/api/orders/2026/11/30"}

//go:noinline
func handle(w http.ResponseWriter, r *http.Request) int {
	return len(r.URL.Path)
}

func loop(reqs []*http.Request, done chan int) {
	n := 0
	for i := 0; ; i++ {
		n += handle(nil, reqs[i%len(reqs)])
		if n < 0 {
			done <- n
		}
	}
}

func main() {
	var reqs []*http.Request
	for _, p := range paths {
		r, err := http.NewRequest("GET", "http://localhost"+p, nil)
		if err != nil {
			os.Exit(1)
		}
		reqs = append(reqs, r)
	}
	done := make(chan int)
	go loop(reqs, done)
	go loop(reqs, done)
	<-done
}
