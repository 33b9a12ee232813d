package store

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/eventmix"
)

func BenchmarkTmpEngine(b *testing.B) {
	ec := engines()[0]
	s := newTestStore(b, ec, Options{})
	ten := addTenant(b, s, "acme", 0)
	day := recentDay(-1)
	const total = 1_000_000
	evs := eventmix.Day(day, total, "bench", "10.9", 9)
	ctx := context.Background()
	for i := 0; i < total; i += 1000 {
		if err := s.InsertEvents(ctx, ten, "s", fmt.Sprint("b", i), evs[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	eb := s.be.(*embeddedBackend)
	params := rangeParams(ten, day.Add(24*time.Hour), Cursor{Time: day})
	run := func(name, sel, format string) {
		b.Run(name, func(b *testing.B) {
			sql := "SELECT " + sel + " FROM " + s.db + ".events" + rangeBounds
			cpu := cpuTime()
			var bytes int
			for b.Loop() {
				res, err := eb.eng.Query(ctx, []byte(sql), format, toChdbParams(params)...)
				if err != nil {
					b.Fatal(err)
				}
				bytes = len(res.Data())
				res.Free()
			}
			b.ReportMetric(float64(bytes)/total, "B/event")
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
	run("all", eventSelect, "Native")
	narrow := strings.Replace(strings.Replace(eventSelect, ", batch_id", "", 1), ", ingest_time", "", 1)
	run("narrow", narrow, "Native")
	lc := narrow
	for _, c := range []string{"trail", "http_host", "http_uri", "http_user_agent", "tls_sni", "cert_sha1", "src_ip_raw", "dst_ip_raw", "src_port_raw", "dst_port_raw"} {
		lc = strings.Replace(lc, " "+c+",", " toLowCardinality("+c+") AS "+c+",", 1)
	}
	run("narrow-lc", lc, "Native")
	run("strings", "trail, http_host, http_uri, http_user_agent, tls_sni, cert_sha1", "Native")
	run("strings-lc", "toLowCardinality(trail), toLowCardinality(http_host), toLowCardinality(http_uri), toLowCardinality(http_user_agent), toLowCardinality(tls_sni), toLowCardinality(cert_sha1)", "Native")
	run("strings-null", "trail, http_host, http_uri, http_user_agent, tls_sni, cert_sha1", "Null")
	run("ips", "src_ip, dst_ip", "Native")
	run("window", "time, id FROM (SELECT time, id, row_number() OVER (ORDER BY time, id) AS rn FROM "+s.db+".events"+rangeBounds+") WHERE rn % 100000 = 0 SETTINGS max_threads=2 --", "Native")
	b.Run("plan", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			after := Cursor{Time: day}
			for {
				last, full, err := s.pageEnd(ctx, ten, day.Add(24*time.Hour), after, 100000)
				if err != nil {
					b.Fatal(err)
				}
				if !full {
					break
				}
				after = last
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	})
	if err := s.be.exec(ctx, "OPTIMIZE TABLE "+s.db+".events FINAL", nil); err != nil {
		b.Fatal(err)
	}
	run("merged-all", eventSelect, "Native")
	run("merged-time-id", "time, id", "Native")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
