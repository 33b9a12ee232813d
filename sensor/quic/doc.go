// Package quic reads the TLS ClientHello out of QUIC Initial packets, the
// QUIC counterpart of package tlshello for a passive sensor.
//
// Initial packets are encrypted, but with keys derived from the public
// Destination Connection ID (RFC 9001 §5.2, RFC 9369 §3.3 for version 2), so
// an observer can decrypt them. The Parser does so, authenticates them
// (which also discards non-QUIC traffic and packets a client sends after the
// server chose a new connection ID), reassembles the CRYPTO stream — a
// post-quantum ClientHello spans two Initial packets, and Chrome shuffles its
// CRYPTO frames — and parses the hello with tlshello.
package quic
