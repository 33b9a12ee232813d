package sensor

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/heuristic"
)

// httpPayload handles a TCP payload that contains "HTTP/": response-side
// heuristics, or a request's Host, proxy target, User-Agent, URL trails and
// the suspicious-request heuristics, in Maltrail's order.
func (w *Worker) httpPayload(p *decode.Packet) {
	if bytes.HasPrefix(p.Payload, httpMarker) {
		w.httpResponse(p)
		return
	}
	r := &w.req
	if !r.Parse(p.Payload) {
		return
	}
	w.ctx.http = true
	a := &w.arena
	a.reset(8 * (len(r.Target) + len(r.Host) + len(r.Body) + 64))
	path := lower(a, r.Target)
	method := view(r.Method)
	heur := w.e.cfg.Heuristics
	set := w.set

	var host string
	if r.HasHost {
		host = lower(a, bytes.TrimSpace(r.Host))
		host = strings.TrimSuffix(host, ":80")
		switch {
		case host != "" && isAlpha(host[0]):
			if ent, ok := set.LookupIP(p.Dst); ok {
				hostOnly, _, _ := strings.Cut(host, ":")
				w.emitTrail(p, "TCP", event.TypeIP, func() string { return event.IPString(p.Dst) + " (" + hostOnly + ")" }, ent)
			} else if w.e.cfg.CheckHostDomains {
				w.checkDomain(view(r.Host), p, "TCP")
			}
		case looksLikeIPv4(host) && w.e.onUngated(heuristic.IoTMalwareDownload) && heuristic.DirectIPURL(a.concat(host, path)):
			if !isLocal(p.Dst) {
				w.emitHeuristic(p, "TCP", event.TypeHTTP, "("+host+")"+path, "potential iot-malware download (suspicious)")
				return
			}
		case w.e.cfg.CheckHostDomains:
			w.checkDomain(view(r.Host), p, "TCP")
		}
	} else {
		host = a.concat(event.IPString(p.Dst))
		if w.e.cfg.CheckMissingHost && w.e.on(heuristic.MissingHost) {
			w.emitHeuristic(p, "TCP", event.TypeHTTP, host+path, "missing host header (suspicious)")
		}
	}

	url := ""
	switch {
	case heur && strings.HasPrefix(path, "/"):
		for _, al := range w.e.trk.WebRequest(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, path) {
			w.emitAlert(p, al)
		}
	case w.e.on(heuristic.ProxyProbe) && p.DstPort == 80 && strings.HasPrefix(path, "http://") && proxyProbe(path) && !w.e.wl.Domain(urlHost(path)):
		w.emitHeuristic(p, "TCP", event.TypeHTTP, proxyProbeTrail(path), "potential proxy probe (suspicious)")
		return
	case strings.Contains(path, "://"):
		// A proxy request: match its target host, unless the URL carries a
		// command-execution payload (an outside scanner, not a client).
		if desc, ok := heuristic.SuspiciousRequest(a.unquote(path)); !ok || desc != "potential remote code execution" {
			_, rest, _ := strings.Cut(path, "://")
			if !strings.Contains(rest, "/") {
				rest = a.concat(rest, "/")
			}
			h, pth, _ := strings.Cut(rest, "/")
			host = strings.TrimSuffix(h, ":80")
			path = a.concat("/", pth)
			url = a.concat(host, path)
			hostOnly, _, _ := strings.Cut(host, ":")
			w.checkDomain(hostOnly, p, "TCP")
		}
	case method == "CONNECT":
		h, pth, found := strings.Cut(path, "/")
		if found {
			path = a.concat("/", pth)
		} else {
			path = "/"
		}
		host = strings.TrimSuffix(h, ":80")
		url = a.concat(host, path)
		hostOnly, _, _ := strings.Cut(host, ":")
		w.checkDomain(hostOnly, p, "TCP")
	}
	if url == "" {
		url = a.concat(host, path)
	}

	if w.e.ua != nil && r.HasUserAgent && w.e.on(heuristic.SuspiciousUserAgent) {
		ua := heuristic.PyStrip(a.unquote(view(r.UserAgent)))
		if ua != "" {
			if trail, ok := w.e.ua.Match(ua); ok {
				w.emitHeuristic(p, "TCP", event.TypeUA, trail, "user agent (suspicious)")
			}
		}
	}

	if w.e.wl.Domain(host) {
		return
	}
	path = strings.ReplaceAll(path, "//", "/")
	if w.urlTrails(p, method, host, path, url, view(r.Body)) {
		return
	}
	if !heur {
		return
	}
	w.requestHeuristics(p, method, host, path, url, view(r.Body))
}

// urlTrails matches Maltrail's URL candidate list, bare and prefixed with the
// host, then host + "/".
func (w *Worker) urlTrails(p *decode.Packet, method, host, path, url, post string) bool {
	set := w.set
	a := &w.arena
	w.checks = urlChecks(w.checks[:0], a, path, post)
	for _, check := range w.checks {
		if check == "" {
			continue
		}
		for _, c := range [2]string{check, a.concat(host, check)} {
			ent, ok := set.Lookup(c)
			if !ok {
				continue
			}
			if !strings.Contains(path, "?") && strings.Contains(c, "?") && post != "" {
				w.emitTrail(p, "TCP", event.TypeHTTP, func() string {
					return host + "(" + path + " \\(" + method + " " + strings.TrimSpace(post) + "\\))"
				}, ent)
			} else {
				w.emitTrail(p, "TCP", event.TypeURL, func() string { return bracketOthers(url, c) }, ent)
			}
			return true
		}
	}
	if ent, ok := set.Lookup(a.concat(host, "/")); ok {
		w.emitTrail(p, "TCP", event.TypeURL, func() string { return host + "/" }, ent)
		return true
	}
	return false
}

// bracketOthers writes url with every part that is not the matched trail in
// parentheses, as Maltrail's check.join("(%s)" % part ...) does.
func bracketOthers(url, check string) string {
	parts := strings.Split(url, check)
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString(check)
		}
		if part != "" {
			b.WriteString("(" + part + ")")
		}
	}
	return b.String()
}

// requestHeuristics runs the suspicious request, POST body, direct download
// and suspicious file name heuristics.
func (w *Worker) requestHeuristics(p *decode.Packet, method, host, path, url, post string) {
	a := &w.arena
	unquotedPath := a.unquote(path)
	unquotedPost := a.unquote(post)
	encPath := forceEncode(a, path)
	if !heuristic.WhitelistedRequestPath(unquotedPath) {
		if w.e.on(heuristic.SuspiciousRequestName) && heuristic.SuspiciousBodyPrefilter(unquotedPath) {
			if desc, ok := heuristic.SuspiciousRequest(unquotedPath); ok && !(strings.Contains(desc, "data leakage") && isLocal(p.Dst)) {
				w.emitHeuristicFwd(p, event.TypeURL, host+"("+encPath+")", desc+" (suspicious)")
				return
			}
		}
		if w.e.on(heuristic.SuspiciousPost) && heuristic.SuspiciousBodyPrefilter(unquotedPost) {
			if desc, ok := heuristic.SuspiciousRequest(unquotedPost); ok {
				trail := host + "(" + encPath + " \\(" + method + " " + strings.TrimSpace(forceEncode(a, post)) + "\\))"
				w.emitHeuristicFwd(p, event.TypeHTTP, trail, desc+" (suspicious)")
				return
			}
		}
	}
	if !strings.Contains(encPath, ".") {
		return
	}
	if ext, ok := heuristic.DirectDownload(encPath); ok && !isLocal(p.Dst) && w.e.on(heuristic.DirectDownloadName) {
		w.emitHeuristicFwd(p, event.TypeURL, host+"("+encPath+")", "direct "+ext+" download (suspicious)")
		return
	}
	upath := urlPath(url)
	if desc, ok := heuristic.SuspiciousFilename(upath[strings.LastIndexByte(upath, '/')+1:]); ok && w.e.on(heuristic.SuspiciousFile) {
		w.emitHeuristicFwd(p, event.TypeURL, host+"("+encPath+")", desc+" (suspicious)")
	}
}

func (w *Worker) httpResponse(p *decode.Packet) {
	r := &w.resp
	if !r.Parse(p.Payload) {
		return
	}
	if m, ok := heuristic.SinkholeResponse(r.Head); ok && w.e.onUngated(heuristic.SinkholeResponseName) {
		w.emitHeuristic(p, "TCP", event.TypeHTTP, m, "sinkhole response (malware)")
	} else if len(r.Title) > 0 && w.e.onUngated(heuristic.SeizedDomain) && heuristic.SeizedTitle(r.Title) {
		w.emitHeuristic(p, "TCP", event.TypeHTTP, string(r.Title), "seized domain (suspicious)")
	}
	if len(r.ContentType) > 0 && w.e.onUngated(heuristic.SuspiciousContent) && heuristic.SuspiciousContentType(r.ContentType) {
		w.emitHeuristic(p, "TCP", event.TypeHTTP, strings.ToLower(string(bytes.TrimSpace(r.ContentType))), "content type (suspicious)")
	}
}

func isAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// looksLikeIPv4 is Maltrail's \A\d+\.[0-9.]+\Z.
func looksLikeIPv4(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(s)-1 || s[i] != '.' {
		return false
	}
	for _, c := range []byte(s[i+1:]) {
		if c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isLocal is Maltrail's is_local: loopback and RFC 1918 IPv4 addresses.
func isLocal(a netip.Addr) bool {
	return a.Is4() && (a.IsLoopback() || a.IsPrivate())
}

func proxyProbe(path string) bool {
	for _, k := range [...]string{"probe", "proxy", "echo", "check"} {
		if strings.Contains(path, k) {
			return true
		}
	}
	return false
}

// urlHost is path.split('/')[2] for an absolute http:// URL.
func urlHost(path string) string {
	rest := path[len("http://"):]
	h, _, _ := strings.Cut(rest, "/")
	return h
}

// proxyProbeTrail brackets what follows the host ("http://h/(rest)") and
// drops a port and trailing dot from the host.
func proxyProbeTrail(path string) string {
	rest := path[len("http://"):]
	h, tail, found := strings.Cut(rest, "/")
	h, _, _ = strings.Cut(h, ":")
	h = strings.TrimRight(h, ".")
	if !found {
		return "http://" + h
	}
	if tail == "" {
		return "http://" + h + "/"
	}
	return "http://" + h + "/(" + tail + ")"
}

// urlPath is urlparse("http://" + url).path.
func urlPath(url string) string {
	url, _, _ = strings.Cut(url, "#")
	url, _, _ = strings.Cut(url, "?")
	if i := strings.IndexByte(url, '/'); i >= 0 {
		return url[i:]
	}
	return ""
}

// forceEncode percent-encodes "( )\r\n" as Maltrail does before putting a
// path or body into a trail, so the trail's own brackets stay unambiguous.
func forceEncode(a *arena, s string) string {
	if !strings.ContainsAny(s, "( )\r\n") {
		return s
	}
	start := len(a.buf)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			a.buf = append(a.buf, "%28"...)
		case ' ':
			a.buf = append(a.buf, "%20"...)
		case ')':
			a.buf = append(a.buf, "%29"...)
		case '\r':
			a.buf = append(a.buf, "%0D"...)
		case '\n':
			a.buf = append(a.buf, "%0A"...)
		default:
			a.buf = append(a.buf, s[i])
		}
	}
	return a.since(start)
}

// emitHeuristicFwd is emitHeuristic with Maltrail's "src,forwarded" source
// column when the request carried a forwarding header.
func (w *Worker) emitHeuristicFwd(p *decode.Packet, typ event.Type, trail, info string) {
	ev := w.newEvent(p, "TCP", typ, trail, info, "(heuristic)")
	if len(w.req.ForwardedFor) > 0 {
		ev.SrcIP += "," + string(w.req.ForwardedFor)
	}
	w.e.emit(&ev, p.Src, p.Dst)
}
