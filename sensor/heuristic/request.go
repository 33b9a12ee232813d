package heuristic

import (
	"strings"
	"unicode/utf8"
)

// requestPreconditions is SUSPICIOUS_HTTP_REQUEST_PRE_CONDITION: a request
// path or body without any of these is not searched.
var requestPreconditions = [...]string{"?", "..", ".ht", "=", " ", "'"}

// whitelistRequestPaths is WHITELIST_HTTP_REQUEST_PATHS, matched against
// the lower-cased unquoted path.
var whitelistRequestPaths = [...]string{"fql", "yql", "ads", "../images/", "../themes/", "../design/", "../scripts/", "../assets/", "../core/", "../js/", "/gwx/"}

// SuspiciousRequestPrefilter is Maltrail's cheap gate before the request
// regexes (heuristic #11): s, the unquoted path, contains one of
// "?", "..", ".ht", "=", " ", "'" (case-sensitively) and, lower-cased, none
// of WHITELIST_HTTP_REQUEST_PATHS. Maltrail applies the whitelist part to
// the path only; for a POST body use the precondition alone
// (SuspiciousBodyPrefilter). It does not allocate.
func SuspiciousRequestPrefilter(s string) bool {
	return SuspiciousBodyPrefilter(s) && !WhitelistedRequestPath(s)
}

// SuspiciousBodyPrefilter reports whether s contains one of Maltrail's
// request preconditions ("?", "..", ".ht", "=", " ", "'").
func SuspiciousBodyPrefilter(s string) bool {
	for _, p := range requestPreconditions {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// WhitelistedRequestPath reports whether the lower-cased s contains one of
// WHITELIST_HTTP_REQUEST_PATHS; Maltrail then skips both the path and the
// body regexes of that request.
func WhitelistedRequestPath(s string) bool {
	contains := containsLowerASCII
	if isLowerASCII(s) { // the usual case: a plain byte search is exact
		contains = strings.Contains
	}
	for _, w := range whitelistRequestPaths {
		if contains(s, w) {
			return true
		}
	}
	return false
}

// SuspiciousRequest searches s (an unquoted request path or body) with
// SUSPICIOUS_HTTP_REQUEST_REGEXES (re.I|re.DOTALL) in order and returns
// the description of the first that matches, e.g. "potential sql
// injection". Maltrail appends " (suspicious)" for the event. It does not
// allocate when nothing matches, unless s holds non-ASCII text next to a
// pattern's \b (decided by the exact, slower engine).
func SuspiciousRequest(s string) (desc string, ok bool) {
	return requestSet.first(s)
}

// DirectIPURL reports whether hostPath (an IPv4 Host header value followed
// by the request path) matches SUSPICIOUS_DIRECT_IP_URL_REGEX: a download
// of an IoT-malware binary named for a CPU architecture (heuristic #15).
func DirectIPURL(hostPath string) bool {
	return directIPURL.MatchString(hostPath)
}

// SuspiciousFilename matches the last path component of a request against
// SUSPICIOUS_HTTP_PATH_REGEXES (re.I) (heuristic #14) and returns the
// description ("non-existent page" or "potential web scan").
func SuspiciousFilename(name string) (desc string, ok bool) {
	return pathSet.first(name)
}

// directDownloadExtensions is SUSPICIOUS_DIRECT_DOWNLOAD_EXTENSIONS.
var directDownloadExtensions = [...]string{".apk", ".bin", ".class", ".chm", ".dll", ".egg", ".exe", ".hta", ".hwp", ".lnk", ".msi", ".pif", ".ps1", ".pyz", ".scr", ".sct", ".vsto", ".wbk", ".xpi"}

// whitelistDownloadKeywords is WHITELIST_DIRECT_DOWNLOAD_KEYWORDS.
var whitelistDownloadKeywords = [...]string{"cgi", "/scripts/", "/_vti_bin/", "/bin/", "/pub/softpaq/", "/bios/", "/pc-axis/"}

// SuspiciousDownload reports whether a request for path is a direct
// download of an executable (heuristic #13); see DirectDownload.
func SuspiciousDownload(path string) bool {
	_, ok := DirectDownload(path)
	return ok
}

// DirectDownload applies heuristic #13 to path, the request path as
// Maltrail holds it (lower-cased, "( )\r\n" percent-encoded, starting with
// '/'): the path contains a '.', the file name of its URL path has one of
// SUSPICIOUS_DIRECT_DOWNLOAD_EXTENSIONS and a stem shorter than 10
// characters, the query has no '=', and the path contains none of
// WHITELIST_DIRECT_DOWNLOAD_KEYWORDS. It returns the extension for the
// event info "direct <ext> download (suspicious)". The caller still has to
// skip local destinations (is_local(dst_ip)).
func DirectDownload(path string) (ext string, ok bool) {
	if !strings.Contains(path, ".") {
		return "", false
	}
	urlPath, query := splitURLPath(path)
	filename := urlPath[strings.LastIndexByte(urlPath, '/')+1:]
	name, ext := SplitExt(filename)
	if !isDownloadExtension(ext) || strings.Contains(query, "=") || utf8.RuneCountInString(name) >= 10 {
		return "", false
	}
	for _, k := range whitelistDownloadKeywords {
		if strings.Contains(path, k) {
			return "", false
		}
	}
	return ext, true
}

func isDownloadExtension(ext string) bool {
	for _, e := range directDownloadExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

// splitURLPath returns the path and query urllib.parse.urlparse finds in
// "http://host" + path: tab, CR and LF are dropped, the fragment and then
// the query are cut off, and ";params" are cut from the last segment.
func splitURLPath(path string) (urlPath, query string) {
	if strings.ContainsAny(path, "\t\r\n") {
		path = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(path)
	}
	path, _, _ = strings.Cut(path, "#")
	path, query, _ = strings.Cut(path, "?")
	if slash := strings.LastIndexByte(path, '/'); slash >= 0 {
		if semi := strings.IndexByte(path[slash:], ';'); semi >= 0 {
			path = path[:slash+semi]
		}
	} else if semi := strings.IndexByte(path, ';'); semi >= 0 {
		path = path[:semi]
	}
	return path, query
}
