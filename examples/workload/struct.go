package main

// struct mode: the document is decoded into types that match it, so
// encoding/json fills fields in place instead of building a
// map[string]interface{} per object; the dynamic config stays a map, but
// a map[string]string. Maps are sized and metrics are zero-copy as in
// unsafe mode.

import (
	"encoding/json"
	"strconv"
)

type geo struct {
	Lat string `json:"lat"`
	Lng string `json:"lng"`
	Alt struct {
		M string `json:"m"`
	} `json:"alt"`
}

type document struct {
	ID   string `json:"id"`
	User struct {
		Name    string `json:"name"`
		Profile struct {
			Score   string   `json:"score"`
			Tags    []string `json:"tags"`
			Address struct {
				City string `json:"city"`
				Zip  string `json:"zip"`
				Geo  geo    `json:"geo"`
			} `json:"address"`
		} `json:"profile"`
	} `json:"user"`
	Limits struct {
		Rate struct {
			Per struct {
				Second string `json:"second"`
			} `json:"per"`
		} `json:"rate"`
	} `json:"limits"`
	Config map[string]string `json:"config"`
}

func newStruct() handler {
	o := newOptimized(true)
	return func(r *request) float64 {
		var d document
		d.Config = make(map[string]string, 32)
		if err := json.Unmarshal(r.doc, &d); err != nil {
			panic(err)
		}
		a := &d.User.Profile.Address
		sum := parse(a.Geo.Lat) + parse(a.Geo.Lng) + parse(d.User.Profile.Score) +
			parse(a.Zip) + parse(d.Limits.Rate.Per.Second)
		out := make(map[string]map[string]string, len(sections))
		for key, v := range d.Config {
			sec, name := o.split(key)
			m := out[sec]
			if m == nil {
				m = make(map[string]string, len(settings)+2)
				out[sec] = m
			}
			m[name] = v
		}
		return sum + float64(len(out)) + o.parseMetrics(r.metrics)
	}
}

func parse(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}
