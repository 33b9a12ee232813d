package trafficgen

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/spoorsec/spoor/sensor/capture"
)

// pcap file constants: nanosecond timestamps, Ethernet.
const (
	pcapMagicNanos = 0xa1b23c4d
	pcapSnaplen    = 65535
	linkEthernet   = 1
)

// WritePcap writes the packets of src to w as a pcap file (nanosecond
// timestamps) until src returns io.EOF, and returns the number written.
// Each record is flushed when src would block, so a reader of a paced
// stream sees packets as they are made: w is buffered only while src has
// packets ready.
func WritePcap(w io.Writer, src capture.Source) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], pcapMagicNanos)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], pcapSnaplen)
	binary.LittleEndian.PutUint32(hdr[20:], linkEthernet)
	if _, err := bw.Write(hdr[:]); err != nil {
		return 0, fmt.Errorf("cannot write pcap header: %w", err)
	}
	flusher, _ := src.(interface{ Ready() bool })
	var (
		p   capture.Packet
		rec [16]byte
		n   int64
	)
	for {
		if flusher != nil && !flusher.Ready() && bw.Buffered() > 0 {
			if err := bw.Flush(); err != nil {
				return n, fmt.Errorf("cannot write pcap: %w", err)
			}
		}
		if err := src.Next(&p); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return n, err
		}
		ns := p.Time.UnixNano()
		binary.LittleEndian.PutUint32(rec[0:], uint32(ns/1e9))
		binary.LittleEndian.PutUint32(rec[4:], uint32(ns%1e9))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(p.Data)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(p.Data)))
		bw.Write(rec[:])
		if _, err := bw.Write(p.Data); err != nil {
			return n, fmt.Errorf("cannot write pcap: %w", err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("cannot write pcap: %w", err)
	}
	return n, nil
}
