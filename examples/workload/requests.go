package main

// The requests the workers loop over: n JSON documents, each nested five
// levels deep (root > user > profile > address > geo), with a varying
// number of dotted config keys, and a metrics line. One metric in eight is
// "N/A", which strconv.ParseFloat rejects: the service counts those.

import (
	"fmt"
	"strings"
)

var sections = []string{"user", "cache", "db.pool", "http.client", "feature.flags"}
var settings = []string{"name", "timeout", "size", "retries", "ttl", "weight"}
var metricNames = []string{"cpu", "mem", "disk", "net.in", "net.out", "lat.p50", "lat.p99", "gc.pause"}

// paths are the dotted lookups each request makes into the document.
var paths = []string{
	"user.profile.address.geo.lat",
	"user.profile.address.geo.lng",
	"user.profile.score",
	"user.profile.address.zip",
	"limits.rate.per.second",
}

func makeRequests(n int) []request {
	reqs := make([]request, n)
	for i := range reqs {
		reqs[i] = request{doc: []byte(makeDoc(i)), metrics: []byte(makeMetrics(i))}
	}
	return reqs
}

func makeDoc(i int) string {
	var cfg []string
	for k := 0; k < 10+i%8; k++ {
		key := sections[k%len(sections)] + "." + settings[(k+i)%len(settings)]
		if k >= len(sections)*len(settings)/3 {
			key += fmt.Sprint(k)
		}
		cfg = append(cfg, fmt.Sprintf("%q: %q", key, fmt.Sprintf("%d.%d", i+k, k)))
	}
	return fmt.Sprintf(`{
  "id": "req-%d",
  "user": {
    "name": "user%d",
    "profile": {
      "score": "%d.5",
      "tags": ["a", "b", "c%d"],
      "address": {
        "city": "city%d",
        "zip": "%05d",
        "geo": {"lat": "%d.%04d", "lng": "%d.%04d", "alt": {"m": "%d"}}
      }
    }
  },
  "limits": {"rate": {"per": {"second": "%d"}}},
  "config": {%s}
}`, i, i, 50+i, i, i%7, 10000+i, i%90, i*37%10000, i%180, i*91%10000, i*3,
		100+i, strings.Join(cfg, ", "))
}

func makeMetrics(i int) string {
	var b strings.Builder
	for k, name := range metricNames {
		if k > 0 {
			b.WriteByte(';')
		}
		if (i+k)%8 == 0 {
			fmt.Fprintf(&b, "%s=N/A", name)
		} else {
			fmt.Fprintf(&b, "%s=%d.%d", name, i*k+1, k)
		}
	}
	return b.String()
}
