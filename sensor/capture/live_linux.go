package capture

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"

	"github.com/spoorsec/spoor/sensor/decode"
)

// DefaultFilter is Maltrail's shipped CAPTURE_FILTER: all UDP and ICMP,
// every TCP SYN, whole TCP conversations on HTTP and proxy ports, and TLS
// handshake records on 443.
const DefaultFilter = "udp or icmp or icmp6 or (tcp and (tcp[tcpflags] == tcp-syn or port 80 or port 1080 or " +
	"port 3128 or port 8000 or port 8080 or port 8118 or (port 443 and tcp[((tcp[12]&0xf0)>>2)] = 0x16)))"

// LiveConfig configures one live capture socket.
type LiveConfig struct {
	Interface string
	Filter    string // BPF expression; "" captures everything
	Snaplen   int
	RingBytes int // size of the TPACKET_V3 ring
	// FanoutGroup, when non-zero, joins the socket to a PACKET_FANOUT group
	// (hash mode: both directions of a flow reach the same socket).
	FanoutGroup uint16
}

// ErrTimeout is returned by Live.Next when no packet arrived within the poll
// timeout, so that callers can do periodic work on an idle link.
var ErrTimeout = errors.New("capture timeout")

// Live is one AF_PACKET TPACKET_V3 socket.
type Live struct {
	tp *afpacket.TPacket
}

// OpenLive opens and configures a capture socket on an interface.
func OpenLive(cfg LiveConfig) (*Live, error) {
	if cfg.Snaplen <= 0 {
		cfg.Snaplen = 2000
	}
	if cfg.RingBytes <= 0 {
		cfg.RingBytes = 64 << 20
	}
	frame := 1 << 11
	for frame < cfg.Snaplen+128 {
		frame <<= 1
	}
	block := 1 << 20
	if block < frame {
		block = frame
	}
	blocks := cfg.RingBytes / block
	if blocks < 4 {
		blocks = 4
	}
	iface := cfg.Interface
	if iface == "any" {
		iface = ""
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(iface),
		afpacket.OptFrameSize(frame),
		afpacket.OptBlockSize(block),
		afpacket.OptNumBlocks(blocks),
		afpacket.OptPollTimeout(100*time.Millisecond),
		afpacket.OptAddVLANHeader(true),
		afpacket.TPacketVersion3,
	)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("cannot open capture on %q (needs CAP_NET_RAW): %w", cfg.Interface, err)
		}
		return nil, fmt.Errorf("cannot open capture on %q: %w", cfg.Interface, err)
	}
	l := &Live{tp: tp}
	if cfg.Filter != "" {
		prog, err := CompileFilter(cfg.Filter, cfg.Snaplen)
		if err != nil {
			tp.Close()
			return nil, err
		}
		if err := tp.SetBPF(prog); err != nil {
			tp.Close()
			return nil, fmt.Errorf("cannot attach capture filter on %q: %w", cfg.Interface, err)
		}
	}
	if cfg.FanoutGroup != 0 {
		if err := tp.SetFanout(afpacket.FanoutHashWithDefrag, cfg.FanoutGroup); err != nil {
			tp.Close()
			return nil, fmt.Errorf("cannot join fanout group %d on %q: %w", cfg.FanoutGroup, cfg.Interface, err)
		}
	}
	return l, nil
}

// CompileFilter compiles a BPF expression for Ethernet frames.
func CompileFilter(expr string, snaplen int) ([]bpf.RawInstruction, error) {
	ins, err := pcap.CompileBPFFilter(layers.LinkTypeEthernet, snaplen, expr)
	if err != nil {
		return nil, fmt.Errorf("invalid capture filter %q: %w", expr, err)
	}
	raw := make([]bpf.RawInstruction, len(ins))
	for i, in := range ins {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return raw, nil
}

// Next returns the next frame, or ErrTimeout on an idle link.
func (l *Live) Next(p *Packet) error {
	data, ci, err := l.tp.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) || errors.Is(err, afpacket.ErrPoll) {
			return ErrTimeout
		}
		return fmt.Errorf("cannot read from capture socket: %w", err)
	}
	p.Data, p.Time, p.Link = data, ci.Timestamp, decode.LinkEthernet
	return nil
}

// Stats reports the kernel's counters for this socket.
func (l *Live) Stats() (Stats, error) {
	_, v3, err := l.tp.SocketStats()
	if err != nil {
		return Stats{}, fmt.Errorf("cannot read capture statistics: %w", err)
	}
	return Stats{Received: uint64(v3.Packets()), Dropped: uint64(v3.Drops())}, nil
}

// Close releases the socket and its ring.
func (l *Live) Close() error {
	l.tp.Close()
	return nil
}
