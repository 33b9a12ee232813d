package sensor

import "strings"

// urlChecks appends Maltrail's URL candidate list for a request path (the
// path as requested, without trailing slash; without the query; up to the
// first '='; with parameter values removed; the last segment; the parent
// directory), each tried bare and prefixed with the host.
func urlChecks(dst []string, a *arena, path, post string) []string {
	first := strings.TrimRight(path, "/")
	dst = append(dst, first)
	if strings.Contains(path, "?") {
		noQuery, _, _ := strings.Cut(path, "?")
		dst = append(dst, strings.TrimRight(noQuery, "/"))
		if i := strings.IndexByte(path, '='); i >= 0 {
			dst = append(dst, path[:i+1])
		}
		stripped := stripParamValues(a, path)
		if !containsString(dst, stripped) {
			dst = append(dst, stripped)
			if strings.Count(stripped, "/") > 1 {
				dst = append(dst, a.concat("/", stripped[strings.LastIndexByte(stripped, '/')+1:]))
			}
		}
	} else if post != "" {
		dst = append(dst, a.concat(path, "?", lowerString(a, a.unquote(post))))
	}
	if last := dst[len(dst)-1]; strings.Count(last, "/") > 1 {
		dst = append(dst, last[:strings.LastIndexByte(last, '/')])
		tail, _, _ := strings.Cut(first[strings.LastIndexByte(first, '/'):], "?")
		dst = append(dst, tail)
	}
	return dst
}

// stripParamValues is re.sub(r"(\w+=)[^&=]+", r"\g<1>", path).
func stripParamValues(a *arena, path string) string {
	start := len(a.buf)
	for i := 0; i < len(path); {
		if !isWordByte(path[i]) {
			a.buf = append(a.buf, path[i])
			i++
			continue
		}
		j := i
		for j < len(path) && isWordByte(path[j]) {
			j++
		}
		if j+1 < len(path) && path[j] == '=' && path[j+1] != '&' && path[j+1] != '=' {
			a.buf = append(a.buf, path[i:j+1]...)
			k := j + 1
			for k < len(path) && path[k] != '&' && path[k] != '=' {
				k++
			}
			i = k
			continue
		}
		a.buf = append(a.buf, path[i:j]...)
		i = j
	}
	return a.since(start)
}

// isWordByte approximates Python's Unicode \w on UTF-8 bytes: ASCII word
// characters, and every byte of a multi-byte sequence.
func isWordByte(c byte) bool {
	return c == '_' || c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func lowerString(a *arena, s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return lower(a, s)
		}
	}
	return s
}
