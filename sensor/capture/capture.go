// Package capture delivers raw packets to the sensor: from pcap and pcapng
// files (or standard input) for offline analysis, and from live interfaces
// through AF_PACKET TPACKET_V3 rings with PACKET_FANOUT.
package capture

import (
	"time"

	"github.com/spoorsec/spoor/sensor/decode"
)

// Packet is one captured frame. Data is only valid until the next call to
// the Source's Next method.
type Packet struct {
	Data []byte
	Time time.Time
	Link decode.LinkType
}

// Source yields packets until it returns io.EOF.
type Source interface {
	Next(p *Packet) error
	Close() error
}

// Stats are capture counters; Dropped counts packets the kernel had to drop
// because the sensor did not keep up.
type Stats struct {
	Received uint64
	Dropped  uint64
}
