package event

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleEvent() Event {
	return Event{
		Time:      time.Unix(1700000000, 123456789),
		Sensor:    "sensor1",
		SrcIP:     "10.0.0.5",
		SrcPort:   "50000",
		DstIP:     "66.66.66.66",
		DstPort:   "443",
		Proto:     "TCP",
		Type:      TypeIP,
		Trail:     "66.66.66.66",
		Info:      "malware (test)",
		Reference: "(static)",
	}
}

func TestAppendLine(t *testing.T) {
	utc := time.UTC
	for _, tc := range []struct {
		name string
		edit func(*Event)
		loc  *time.Location
		want string
	}{
		{"utc", func(*Event) {}, utc,
			`"2023-11-14 22:13:20.123456" sensor1 10.0.0.5 50000 66.66.66.66 443 TCP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
		{"zone crosses midnight", func(*Event) {}, time.FixedZone("UTC+3", 3*3600),
			`"2023-11-15 01:13:20.123456" sensor1 10.0.0.5 50000 66.66.66.66 443 TCP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
		{"no ports", func(e *Event) { e.SrcPort, e.DstPort, e.Proto = "", "", "ICMP" }, utc,
			`"2023-11-14 22:13:20.123456" sensor1 10.0.0.5 - 66.66.66.66 - ICMP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
		{"port zero", func(e *Event) { e.SrcPort, e.DstPort = "0", "0" }, utc,
			`"2023-11-14 22:13:20.123456" sensor1 10.0.0.5 - 66.66.66.66 - TCP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
		{"port trail", func(e *Event) { e.Type, e.Trail, e.Info = TypePort, "445", "potential infection" }, utc,
			`"2023-11-14 22:13:20.123456" sensor1 10.0.0.5 50000 66.66.66.66 443 TCP PORT 445 "potential infection" (static)` + "\n"},
		{"injection", func(e *Event) { e.Trail = "x.com/a\n\"b c\"\r" }, utc,
			`"2023-11-14 22:13:20.123456" sensor1 10.0.0.5 50000 66.66.66.66 443 TCP IP "x.com/a ""b c"" " "malware (test)" (static)` + "\n"},
		{"empty sensor", func(e *Event) { e.Sensor = "" }, utc,
			`"2023-11-14 22:13:20.123456" - 10.0.0.5 50000 66.66.66.66 443 TCP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sampleEvent()
			tc.edit(&e)
			if got := string(e.AppendLine([]byte("prefix:"), tc.loc)); got != "prefix:"+tc.want {
				t.Errorf("got  %q\nwant %q", got, "prefix:"+tc.want)
			}
		})
	}
}

func TestAppendLineAllocs(t *testing.T) {
	e := sampleEvent()
	buf := make([]byte, 0, 512)
	loc := time.FixedZone("X", 3600)
	if n := testing.AllocsPerRun(1000, func() { buf = e.AppendLine(buf[:0], loc) }); n != 0 {
		t.Errorf("AppendLine allocates %v times per call, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _ = SeverityOf(e.Info, e.Reference) }); n != 0 {
		t.Errorf("SeverityOf allocates %v times per call, want 0", n)
	}
}

func TestAppendDate(t *testing.T) {
	tm := time.Date(2024, 1, 11, 23, 30, 0, 0, time.UTC)
	if got := string(AppendDate(nil, tm, time.FixedZone("UTC+1", 3600))); got != "2024-01-12" {
		t.Errorf("got %q, want 2024-01-12", got)
	}
}

func TestAppendCEF(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	base := Event{
		Time:      time.Date(2020, 12, 24, 15, 5, 55, 0, loc),
		Sensor:    "ignored",
		SrcIP:     "192.168.5.137",
		SrcPort:   "60453",
		DstIP:     "8.8.8.8",
		DstPort:   "53",
		Proto:     "UDP",
		Type:      TypeDNS,
		Trail:     "morphed.ru",
		Info:      "andromeda (malware)",
		Reference: "(static)",
	}
	for _, tc := range []struct {
		name string
		edit func(*Event)
		want string
	}{
		{"maltrail doc example", func(*Event) {},
			"Dec 24 15:05:55 beast CEF:0|Maltrail|sensor|0.27.68|2020-12-24|andromeda (malware)|2|src=192.168.5.137 spt=60453 dst=8.8.8.8 dpt=53 trail=morphed.ru ref=(static)"},
		{"escaping and low severity", func(e *Event) {
			e.Trail, e.Info, e.Reference = `host/?a=b\c`, "mass|scanner\n", "a=b"
			e.Time = time.Date(2021, 3, 5, 1, 2, 3, 0, loc)
		},
			`Mar 05 01:02:03 beast CEF:0|Maltrail|sensor|0.27.68|2020-12-24|mass\|scanner |1|src=192.168.5.137 spt=60453 dst=8.8.8.8 dpt=53 trail=host/?a\=b\\c ref=a\=b`},
		{"no ports and count", func(e *Event) { e.SrcPort, e.DstPort, e.Info, e.Count = "", "0", "known attacker", 7 },
			"Dec 24 15:05:55 beast CEF:0|Maltrail|sensor|0.27.68|2020-12-24|known attacker|0|src=192.168.5.137 spt=- dst=8.8.8.8 dpt=0 trail=morphed.ru ref=(static) cnt=7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			tc.edit(&e)
			if got := string(e.AppendCEF(nil, "beast", "0.27.68", "2020-12-24")); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAppendJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Event)
		want string
	}{
		{"maltrail shape", func(*Event) {},
			`{"timestamp": 1700000000, "sensor": "box", "severity": "high", "src_ip": "10.0.0.5", "src_port": 50000, "dst_ip": "66.66.66.66", "dst_port": 443, "proto": "TCP", "type": "IP", "trail": "66.66.66.66", "info": "malware (test)", "reference": "(static)"}`},
		{"python escaping", func(e *Event) { e.Info = "naïve \"q\" \\ \t\x01\x7f 😀" },
			`{"timestamp": 1700000000, "sensor": "box", "severity": "medium", "src_ip": "10.0.0.5", "src_port": 50000, "dst_ip": "66.66.66.66", "dst_port": 443, "proto": "TCP", "type": "IP", "trail": "66.66.66.66", "info": "na\u00efve \"q\" \\ \t\u0001\u007f \ud83d\ude00", "reference": "(static)"}`},
		{"port types", func(e *Event) {
			e.SrcPort, e.DstPort, e.Type, e.Trail, e.Info = "", "1025,1026", TypePort, "445", "potential infection"
		},
			`{"timestamp": 1700000000, "sensor": "box", "severity": "medium", "src_ip": "10.0.0.5", "src_port": "-", "dst_ip": "66.66.66.66", "dst_port": "1025,1026", "proto": "TCP", "type": "PORT", "trail": 445, "info": "potential infection", "reference": "(static)"}`},
		{"count and context", func(e *Event) {
			e.Count = 12
			e.Context = Context{DNSQType: 1, DNSRcode: 3, HTTPHost: "h", TLSSNI: "s", CertSHA1: "ab"}
		},
			`{"timestamp": 1700000000, "sensor": "box", "severity": "high", "src_ip": "10.0.0.5", "src_port": 50000, "dst_ip": "66.66.66.66", "dst_port": 443, "proto": "TCP", "type": "IP", "trail": "66.66.66.66", "info": "malware (test)", "reference": "(static)", "count": 12, "dns_qtype": 1, "dns_rcode": 3, "http_host": "h", "tls_sni": "s", "cert_sha1": "ab"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sampleEvent()
			tc.edit(&e)
			got := e.AppendJSON(nil, "box")
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			var m map[string]any
			if err := json.Unmarshal(got, &m); err != nil {
				t.Fatalf("not valid JSON: %v", err)
			}
			if m["info"] != e.Info {
				t.Errorf("info decodes as %q, want %q", m["info"], e.Info)
			}
		})
	}
}

// FuzzAppendLine checks that any event renders as exactly one line of
// eleven space-separated fields that a quote-aware CSV reader gets back.
func FuzzAppendLine(f *testing.F) {
	f.Add(int64(1700000000), "sensor1", "10.0.0.5", "50000", "66.66.66.66", "443", "TCP", "IP", "66.66.66.66", "malware (test)", "(static)")
	f.Add(int64(0), "", "", "", "", "0", "", "PORT", "0", "", "")
	f.Add(int64(-1), "a b", "\"", "\n", "\r\n", "\" \"", "x\ty", "\x00", "host(/a?b=c \"q\")", "na\xffve", "\u2028")
	f.Fuzz(func(t *testing.T, sec int64, sensor, src, sport, dst, dport, proto, typ, trail, info, ref string) {
		e := Event{
			Time: time.Unix(sec%(1<<40), 0), Sensor: sensor, SrcIP: src, SrcPort: sport, DstIP: dst, DstPort: dport,
			Proto: proto, Type: Type(typ), Trail: trail, Info: info, Reference: ref,
		}
		line := e.AppendLine(nil, time.UTC)
		if !bytes.HasSuffix(line, []byte("\n")) {
			t.Fatalf("line %q does not end in a newline", line)
		}
		if i := bytes.IndexAny(line[:len(line)-1], "\r\n"); i >= 0 {
			t.Fatalf("line %q has a raw line break at %d", line, i)
		}
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = ' '
		r.FieldsPerRecord = 11
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("line %q does not parse back: %v", line, err)
		}
		if len(recs) != 1 {
			t.Fatalf("line %q parses as %d records, want 1", line, len(recs))
		}
		flat := func(v string, port bool) string {
			if v == "" || port && v == "0" {
				return "-"
			}
			return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
		}
		want := []string{
			flat(sensor, false), flat(src, false), flat(sport, true), flat(dst, false), flat(dport, true),
			flat(proto, false), flat(typ, false), flat(trail, Type(typ) == TypePort), flat(info, false), flat(ref, false),
		}
		for i, w := range want {
			if got := recs[0][i+1]; got != w {
				t.Errorf("field %d = %q, want %q (line %q)", i+1, got, w, line)
			}
		}
	})
}
