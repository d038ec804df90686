// httpprog: a net/http server and its client in one process, for reading Go
// values (tests/golang/http/run.sh).
//
// Usage: httpprog LOGFILE
//
// The server listens on 127.0.0.1 (a port the kernel picks); the client
// sends a fixed mix of requests over keep-alive connections: several
// methods, paths of several lengths (one longer than 64 bytes), a query
// string, and an X-Trace header on some. The handler writes one line per
// request to LOGFILE, "METHOD PATH NHEADERS", from the *http.Request it
// was given: that log is the oracle the tracer's counts are checked
// against. The handler is the one http.ServeMux dispatches to, reached
// through net/http.serverHandler.ServeHTTP, which every net/http server
// goes through.
package main

import (
	"bufio"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
)

type request struct {
	method, path string
	n            int
	header       bool
}

// The mix: counts differ per path so a swapped or lost key shows.
var mix = []request{
	{"GET", "/", 3, false},
	{"GET", "/api/users", 7, true},
	{"POST", "/api/users", 4, true},
	{"DELETE", "/api/users/42", 2, false},
	{"PUT", "/api/orders/2026/11/30", 5, true},
	{"GET", "/static/js/app.min.js", 6, false},
	{"GET", "/search?q=gopher&page=2", 3, false},
	{"GET", "/a/very/long/path/that/goes/on/and/on/past/sixty/four/bytes/of/url/path", 2, false},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: httpprog LOGFILE")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log := bufio.NewWriter(f)
	var mu sync.Mutex

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fmt.Fprintf(log, "%s %s %d\n", r.Method, r.URL.Path, len(r.Header))
		mu.Unlock()
		io.WriteString(w, "ok\n")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	client := &http.Client{}
	base := "http://" + ln.Addr().String()
	total := 0
	for _, m := range mix {
		for i := 0; i < m.n; i++ {
			var body io.Reader
			if m.method == "POST" || m.method == "PUT" {
				body = strings.NewReader(`{"name":"gopher"}`)
			}
			req, err := http.NewRequest(m.method, base+m.path, body)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if m.header {
				req.Header.Set("X-Trace", fmt.Sprint(total))
			}
			resp, err := client.Do(req)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			io.Copy(ioutil.Discard, resp.Body)
			resp.Body.Close()
			total++
		}
	}
	srv.Close()
	mu.Lock()
	log.Flush()
	f.Close()
	mu.Unlock()
	fmt.Printf("httpprog: %d requests\n", total)
}
