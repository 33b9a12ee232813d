package heuristic

import "bytes"

// sinkholeWindow is how many characters of a response Maltrail searches
// for a sinkhole banner.
const sinkholeWindow = 2000

// SinkholeResponse searches the first 2000 characters of an HTTP response
// (head: the payload from "HTTP/") with GENERIC_SINKHOLE_REGEX (heuristic
// #19) and returns the matched text, which is the event's trail. Characters
// are counted, and the match returned, as Python decodes the payload
// (UTF-8, errors="replace"). Only a match allocates.
func SinkholeResponse(head []byte) (match string, ok bool) {
	head = head[:decodedLen(head, sinkholeWindow)]
	_, start, end, ok := sinkhole.LeftmostBytes(head)
	if !ok {
		return "", false
	}
	return string(appendDecoded(nil, head[start:end])), true
}

// seizedTitles are the alternatives of Maltrail's seized-domain title
// pattern (case-sensitive).
var seizedTitles = [...][]byte{[]byte("domain name has been seized by"), []byte("Domain Seized"), []byte("Domain Seizure")}

// SeizedTitle reports whether an HTML <title> (the text between "<title>"
// and "</title>") announces a seized domain (heuristic #20).
func SeizedTitle(title []byte) bool {
	for _, s := range seizedTitles {
		if bytes.Contains(title, s) {
			return true
		}
	}
	return false
}

// suspiciousContentTypes is SUSPICIOUS_CONTENT_TYPES.
var suspiciousContentTypes = [...]string{"application/vnd.ms-htmlhelp", "application/x-bsh", "application/x-chm", "application/x-ms-shortcut", "application/x-sh", "application/x-shellscript", "application/hta", "text/x-scriptlet", "text/x-sh", "text/x-shellscript", "application/x-ms-vsto"}

// SuspiciousContentType reports whether a response Content-Type header
// value, stripped and lower-cased as Python does, is one of
// SUSPICIOUS_CONTENT_TYPES (heuristic #21). Parameters are not removed:
// "text/x-sh; charset=utf-8" does not match, as in Maltrail.
func SuspiciousContentType(ct []byte) bool {
	ct = pyStrip(ct)
	for _, s := range suspiciousContentTypes {
		if equalLowerASCII(ct, s) {
			return true
		}
	}
	return false
}
