package main

// The service's code as it was: everything below allocates more than it
// needs to, which is what gotrace's examples find.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

func newBaseline() handler {
	return func(r *request) float64 {
		var doc map[string]interface{}
		if err := json.Unmarshal(r.doc, &doc); err != nil {
			panic(err)
		}
		sum := 0.0
		for _, p := range paths {
			sum += lookupFloat(doc, strings.Split(p, "."))
		}
		cfg, _ := doc["config"].(map[string]interface{})
		sum += float64(len(groupConfig(cfg)))
		return sum + parseMetrics(r.metrics)
	}
}

// lookupFloat walks the nested maps along path and parses the leaf.
func lookupFloat(doc map[string]interface{}, path []string) float64 {
	var cur interface{} = doc
	for _, k := range path {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return 0
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

// groupConfig files "section.sub.name" keys under "section.sub", from
// maps that start empty.
func groupConfig(cfg map[string]interface{}) map[string]map[string]string {
	out := map[string]map[string]string{}
	for key, v := range cfg {
		parts := strings.Split(key, ".")
		sec := strings.Join(parts[:len(parts)-1], ".")
		m := out[sec]
		if m == nil {
			m = map[string]string{}
			out[sec] = m
		}
		s, _ := v.(string)
		m[parts[len(parts)-1]] = s
	}
	return out
}

// parseMetrics parses "k=v;k=v" into a map, copying each field into a
// string.
func parseMetrics(line []byte) float64 {
	vals := map[string]float64{}
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
		f, err := strconv.ParseFloat(string(field[eq+1:]), 64)
		if err != nil {
			bad++
			continue
		}
		vals[string(field[:eq])] = f
	}
	return sumValues(vals) + float64(bad)
}

func sumValues(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}
