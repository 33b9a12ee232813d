package event

import "unsafe"

// CloneAll returns a copy of events that owns its text. Decoders alias
// their input buffers to avoid a copy per field; anything that keeps events
// beyond the buffer's life (a live-tail subscriber, a webhook queue) takes
// a CloneAll first. All strings of the copy share one allocation.
func CloneAll(events []Event) []Event {
	n := 0
	for i := range events {
		eachText(&events[i], func(s *string) { n += len(*s) })
	}
	buf := make([]byte, 0, n)
	out := make([]Event, len(events))
	copy(out, events)
	for i := range out {
		eachText(&out[i], func(s *string) {
			if *s == "" {
				return
			}
			start := len(buf)
			buf = append(buf, *s...)
			*s = unsafe.String(&buf[start], len(*s))
		})
	}
	return out
}

// eachText calls fn with every string field of e.
func eachText(e *Event, fn func(*string)) {
	for _, s := range [...]*string{&e.Sensor, &e.SrcIP, &e.SrcPort, &e.DstIP, &e.DstPort, &e.Proto,
		(*string)(&e.Type), &e.Trail, &e.Info, &e.Reference,
		&e.Context.HTTPMethod, &e.Context.HTTPHost, &e.Context.HTTPURI, &e.Context.HTTPUserAgent,
		&e.Context.TLSSNI, &e.Context.JA4, &e.Context.CertSHA1} {
		fn(s)
	}
}
