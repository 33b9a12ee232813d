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
		case looksLikeIPv4(host) && heuristic.DirectIPURL(a.concat(host, path)):
			if !isLocal(p.Dst) {
				w.emitHeuristic(p, "TCP", event.TypeHTTP, "("+host+")"+path, "potential iot-malware download (suspicious)")
				return
			}
		case w.e.cfg.CheckHostDomains:
			w.checkDomain(view(r.Host), p, "TCP")
		}
	} else {
		host = a.concat(event.IPString(p.Dst))
		if heur && w.e.cfg.CheckMissingHost {
			w.emitHeuristic(p, "TCP", event.TypeHTTP, host+path, "missing host header (suspicious)")
		}
	}

	url := ""
	switch {
	case heur && strings.HasPrefix(path, "/"):
		for _, al := range w.e.trk.WebRequest(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, path) {
			w.emitAlert(p, al)
		}
	case heur && p.DstPort == 80 && strings.HasPrefix(path, "http://") && proxyProbe(path) && !w.e.wl.Domain(urlHost(path)):
		w.emitHeuristic(p, "TCP", event.TypeHTTP, proxyProbeTrail(path), "potential proxy probe (suspicious)")
		return
	case strings.Contains(path, "://"):
		// A proxy request: match its target host, unless the URL carries a
		// command-execution payload (an outside scanner, not a client).
		if desc, ok := heuristic.SuspiciousRequest(heuristic.Unquote(path)); !ok || desc != "potential remote code execution" {
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

	if heur && w.e.ua != nil && r.HasUserAgent {
		ua := strings.TrimSpace(heuristic.Unquote(view(r.UserAgent)))
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
	unquotedPath := heuristic.Unquote(path)
	unquotedPost := heuristic.Unquote(post)
	src := ""
	if len(w.req.ForwardedFor) > 0 {
		src = event.IPString(p.Src) + "," + string(w.req.ForwardedFor)
	}
	encPath := forceEncode(a, path)
	if !whitelistedRequestPath(unquotedPath) {
		if anyPrecondition(unquotedPath) {
			if desc, ok := heuristic.SuspiciousRequest(unquotedPath); ok && !(strings.Contains(desc, "data leakage") && isLocal(p.Dst)) {
				w.emitHeuristicFrom(p, src, event.TypeURL, host+"("+encPath+")", desc+" (suspicious)")
				return
			}
		}
		if anyPrecondition(unquotedPost) {
			if desc, ok := heuristic.SuspiciousRequest(unquotedPost); ok {
				trail := host + "(" + encPath + " \\(" + method + " " + strings.TrimSpace(forceEncode(a, post)) + "\\))"
				w.emitHeuristicFrom(p, src, event.TypeHTTP, trail, desc+" (suspicious)")
				return
			}
		}
	}
	if !strings.Contains(encPath, ".") {
		return
	}
	upath, query := urlPathQuery(url)
	filename := upath[strings.LastIndexByte(upath, '/')+1:]
	name, ext := heuristic.SplitExt(filename)
	if suspiciousExtension(ext) && !isLocal(p.Dst) && !downloadWhitelisted(encPath) && !strings.Contains(query, "=") && len(name) < 10 {
		w.emitHeuristicFrom(p, src, event.TypeURL, host+"("+encPath+")", "direct "+ext+" download (suspicious)")
		return
	}
	if desc, ok := heuristic.SuspiciousFilename(filename); ok {
		w.emitHeuristicFrom(p, src, event.TypeURL, host+"("+encPath+")", desc+" (suspicious)")
	}
}

func (w *Worker) httpResponse(p *decode.Packet) {
	r := &w.resp
	if !r.Parse(p.Payload) {
		return
	}
	if m, ok := heuristic.SinkholeResponse(r.Head); ok {
		w.emitHeuristic(p, "TCP", event.TypeHTTP, m, "sinkhole response (malware)")
	} else if len(r.Title) > 0 && heuristic.SeizedTitle(r.Title) {
		w.emitHeuristic(p, "TCP", event.TypeHTTP, string(r.Title), "seized domain (suspicious)")
	}
	if len(r.ContentType) > 0 && heuristic.SuspiciousContentType(r.ContentType) {
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

var whitelistHTTPRequestPaths = [...]string{"fql", "yql", "ads", "../images/", "../themes/", "../design/", "../scripts/", "../assets/", "../core/", "../js/", "/gwx/"}

func whitelistedRequestPath(unquoted string) bool {
	lower := unquoted
	for i := 0; i < len(unquoted); i++ {
		if c := unquoted[i]; 'A' <= c && c <= 'Z' {
			lower = strings.ToLower(unquoted)
			break
		}
	}
	for _, s := range whitelistHTTPRequestPaths {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func anyPrecondition(s string) bool {
	return strings.ContainsAny(s, "?= '") || strings.Contains(s, "..") || strings.Contains(s, ".ht")
}

var directDownloadExtensions = [...]string{".apk", ".bin", ".class", ".chm", ".dll", ".egg", ".exe", ".hta", ".hwp", ".lnk", ".msi", ".pif", ".ps1", ".pyz", ".scr", ".sct", ".vsto", ".wbk", ".xpi"}

func suspiciousExtension(ext string) bool {
	for _, e := range directDownloadExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

func downloadWhitelisted(path string) bool {
	for _, k := range [...]string{"cgi", "/scripts/", "/_vti_bin/", "/bin/", "/pub/softpaq/", "/bios/", "/pc-axis/"} {
		if strings.Contains(path, k) {
			return true
		}
	}
	return false
}

// urlPathQuery is urlparse("http://" + url)'s path and query.
func urlPathQuery(url string) (path, query string) {
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url = url[:i]
	}
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url, query = url[:i], url[i+1:]
	}
	if i := strings.IndexByte(url, '/'); i >= 0 {
		return url[i:], query
	}
	return "", query
}

// forceEncode percent-encodes "( )\r\n" as Maltrail does before putting a
// path or body into a trail, so the trail's own brackets stay unambiguous.
func forceEncode(a *arena, s string) string {
	if !strings.ContainsAny(s, "( )\r\n") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			b = append(b, "%28"...)
		case ' ':
			b = append(b, "%20"...)
		case ')':
			b = append(b, "%29"...)
		case '\r':
			b = append(b, "%0D"...)
		case '\n':
			b = append(b, "%0A"...)
		default:
			b = append(b, s[i])
		}
	}
	return a.concat(view(b))
}

// emitHeuristicFrom is emitHeuristic with Maltrail's "src,forwarded" source
// column when the request carried a forwarding header.
func (w *Worker) emitHeuristicFrom(p *decode.Packet, src string, typ event.Type, trail, info string) {
	ev := w.newEvent(p, "TCP", typ, trail, info, "(heuristic)")
	if src != "" {
		ev.SrcIP = src
	}
	w.e.emit(&ev, p.Src, p.Dst)
}
