package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Encoding is an HTTP Content-Encoding of a batch.
type Encoding string

// Supported encodings.
const (
	Identity Encoding = "identity"
	Gzip     Encoding = "gzip"
	Zstd     Encoding = "zstd"
)

// ParseEncoding reads a Content-Encoding header value ("" is identity).
// Stacked encodings are refused.
func ParseEncoding(v string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "identity":
		return Identity, nil
	case "gzip", "x-gzip":
		return Gzip, nil
	case "zstd":
		return Zstd, nil
	}
	return "", errorf(ReasonEncoding, -1, "unsupported Content-Encoding %q (want zstd, gzip or identity)", v)
}

// Decompressor inflates request bodies with a bound on the inflated size,
// so a compression bomb costs at most that much memory. It is safe for
// concurrent use.
type Decompressor struct {
	limit int
	zstd  *zstd.Decoder
	gzip  sync.Pool // *gzip.Reader
}

// NewDecompressor returns a Decompressor refusing output over limit bytes.
func NewDecompressor(limit int) (*Decompressor, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("ingest: decompressed size limit must be positive, got %d", limit)
	}
	zd, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0), // one DecodeAll per GOMAXPROCS at once
		zstd.WithDecoderMaxMemory(uint64(limit)),
		zstd.WithDecoderLowmem(false))
	if err != nil {
		return nil, fmt.Errorf("ingest: cannot create zstd decoder: %w", err)
	}
	return &Decompressor{limit: limit, zstd: zd}, nil
}

// Limit is the largest output Decode produces.
func (d *Decompressor) Limit() int { return d.limit }

// Decode appends the decoding of src to dst[:0] and returns it. With
// Identity it returns src itself. Errors are *Error: ReasonTooLarge over
// the limit, ReasonEncoding for corrupt input.
func (d *Decompressor) Decode(dst []byte, enc Encoding, src []byte) ([]byte, error) {
	switch enc {
	case Identity:
		if len(src) > d.limit {
			return nil, d.tooLarge()
		}
		return src, nil
	case Zstd:
		// WithDecoderMaxMemory makes DecodeAll stop at the limit, whether or
		// not the frames declare their size.
		out, err := d.zstd.DecodeAll(src, dst[:0])
		switch {
		case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded), err == nil && len(out) > d.limit:
			return nil, d.tooLarge()
		case err != nil:
			return nil, errorf(ReasonEncoding, -1, "corrupt zstd body: %v", err)
		}
		return out, nil
	case Gzip:
		return d.gunzip(dst[:0], src)
	}
	return nil, errorf(ReasonEncoding, -1, "unsupported encoding %q", enc)
}

func (d *Decompressor) gunzip(dst, src []byte) ([]byte, error) {
	zr, _ := d.gzip.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(src))
	} else {
		err = zr.Reset(bytes.NewReader(src))
	}
	if err != nil {
		return nil, errorf(ReasonEncoding, -1, "corrupt gzip body: %v", err)
	}
	defer d.gzip.Put(zr)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		room := min(cap(dst), d.limit+1) - len(dst)
		n, err := zr.Read(dst[len(dst) : len(dst)+room])
		dst = dst[:len(dst)+n]
		if len(dst) > d.limit {
			return nil, d.tooLarge()
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return nil, errorf(ReasonEncoding, -1, "corrupt gzip body: %v", err)
		}
	}
}

func (d *Decompressor) tooLarge() error {
	return errorf(ReasonTooLarge, -1, "body inflates to more than %d bytes", d.limit)
}

var (
	zstdEncOnce sync.Once
	zstdEnc     *zstd.Encoder
	gzipPool    sync.Pool // *gzip.Writer
)

// Compress appends src encoded with enc to dst.
func Compress(dst []byte, enc Encoding, src []byte) ([]byte, error) {
	switch enc {
	case Identity:
		return append(dst, src...), nil
	case Zstd:
		zstdEncOnce.Do(func() {
			// Errors only come from invalid options.
			zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		})
		return zstdEnc.EncodeAll(src, dst), nil
	case Gzip:
		buf := bytes.NewBuffer(dst)
		zw, _ := gzipPool.Get().(*gzip.Writer)
		if zw == nil {
			zw = gzip.NewWriter(buf)
		} else {
			zw.Reset(buf)
		}
		defer gzipPool.Put(zw)
		if _, err := zw.Write(src); err != nil {
			return nil, fmt.Errorf("ingest: gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("ingest: gzip: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("ingest: unsupported encoding %q", enc)
}
