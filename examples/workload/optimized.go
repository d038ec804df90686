package main

// The optimizations the investigation tried, one mode at a time:
// prealloc (sized maps, cached splits, strings.Index) and unsafe
// (zero-copy []byte to string).

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unsafe"
)

// optimized holds one worker's caches; handlers are not shared between
// goroutines, so the cache needs no lock.
type optimized struct {
	paths   [][]string           // paths, split once
	splits  map[string][2]string // config key -> section, name
	noCopy  bool                 // unsafe mode: metrics fields without a copy
	nextCap int                  // size hint for the per-request maps
}

func newPrealloc() handler { return newOptimized(false).handle }
func newUnsafe() handler   { return newOptimized(true).handle }

func newOptimized(noCopy bool) *optimized {
	o := &optimized{splits: make(map[string][2]string, 256), noCopy: noCopy, nextCap: 8}
	for _, p := range paths {
		o.paths = append(o.paths, strings.Split(p, "."))
	}
	return o
}

func (o *optimized) handle(r *request) float64 {
	var doc map[string]interface{}
	if err := json.Unmarshal(r.doc, &doc); err != nil {
		panic(err)
	}
	sum := 0.0
	for _, p := range o.paths {
		sum += lookupFloat(doc, p)
	}
	cfg, _ := doc["config"].(map[string]interface{})
	sum += float64(len(o.groupConfig(cfg)))
	return sum + o.parseMetrics(r.metrics)
}

// split cuts a config key at its last dot, once per distinct key.
func (o *optimized) split(key string) (string, string) {
	if s, ok := o.splits[key]; ok {
		return s[0], s[1]
	}
	var s [2]string
	if i := strings.LastIndex(key, "."); i >= 0 {
		s = [2]string{key[:i], key[i+1:]}
	} else {
		s = [2]string{"", key}
	}
	o.splits[key] = s
	return s[0], s[1]
}

func (o *optimized) groupConfig(cfg map[string]interface{}) map[string]map[string]string {
	out := make(map[string]map[string]string, len(sections))
	for key, v := range cfg {
		sec, name := o.split(key)
		m := out[sec]
		if m == nil {
			m = make(map[string]string, len(settings)+2)
			out[sec] = m
		}
		s, _ := v.(string)
		m[name] = s
	}
	return out
}

func (o *optimized) parseMetrics(line []byte) float64 {
	vals := make(map[string]float64, len(metricNames))
	bad := 0
	for len(line) > 0 {
		field := line
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			field, line = line[:i], line[i+1:]
		} else {
			line = nil
		}
		eq := bytes.IndexByte(field, '=')
		if eq < 0 {
			continue
		}
		f, err := strconv.ParseFloat(o.str(field[eq+1:]), 64)
		if err != nil {
			bad++
			continue
		}
		vals[o.str(field[:eq])] = f
	}
	return sumValues(vals) + float64(bad)
}

// str is string(b), or in unsafe mode the same bytes seen as a string.
func (o *optimized) str(b []byte) string {
	if o.noCopy {
		return bytesToString(b)
	}
	return string(b)
}

// bytesToString is Go 1.20's unsafe.String(&b[0], len(b)) written for Go
// 1.19: a slice header starts with the string header's two words. The
// string shares b's memory, so b must never change afterwards.
func bytesToString(b []byte) string {
	return *(*string)(unsafe.Pointer(&b))
}
