// Package tlshello reads the cleartext start of TLS handshakes for a passive
// sensor: the ClientHello (server name, ALPN, the lists JA4 fingerprints
// are made of), the SHA-1 fingerprint of the server's leaf certificate in
// TLS 1.2 and older, and a small reassembler for handshakes that span TCP
// segments.
//
// Every byte parsed here is attacker-controlled. Parsers check every length
// against the bytes present, never panic, and do not allocate in steady
// state: results alias the input or buffers owned by the receiver, as each
// function's comment states.
package tlshello
