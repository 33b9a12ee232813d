package capture

import (
	"bytes"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/decode"
)

// TestLiveLoopback captures real traffic on the loopback interface through
// an AF_PACKET TPACKET_V3 ring with Maltrail's default filter attached.
func TestLiveLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture needs CAP_NET_RAW; run as root")
	}
	live, err := OpenLive(LiveConfig{Interface: "lo", Filter: DefaultFilter, Snaplen: 2000, RingBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	marker := []byte("spoor-live-capture-test")
	conn, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// TCP to a closed port is not captured by the filter unless it is a SYN;
	// the UDP datagram must be.
	deadline := time.Now().Add(5 * time.Second)
	var p Packet
	var dp decode.Packet
	for sent := 0; time.Now().Before(deadline); {
		if sent < 20 {
			conn.Write(marker)
			sent++
		}
		err := live.Next(&p)
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Link != decode.LinkEthernet {
			t.Fatalf("got link %v, want Ethernet", p.Link)
		}
		if decode.Decode(p.Link, p.Data, &dp) != nil || dp.Proto != decode.ProtoUDP || dp.DstPort != 9 {
			continue
		}
		if !bytes.Equal(dp.Payload, marker) {
			t.Fatalf("got payload %q, want %q", dp.Payload, marker)
		}
		st, err := live.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Received == 0 {
			t.Errorf("got %+v, want received packets counted", st)
		}
		return
	}
	t.Fatal("captured no datagram to 127.0.0.1:9 within 5 s")
}

func TestCompileFilterRejectsGarbage(t *testing.T) {
	if _, err := CompileFilter("tcp and and", 2000); err == nil {
		t.Fatal("got nil error for an invalid filter")
	}
	prog, err := CompileFilter(DefaultFilter, 2000)
	if err != nil || len(prog) == 0 {
		t.Fatalf("default filter: got %d instructions, %v", len(prog), err)
	}
}
