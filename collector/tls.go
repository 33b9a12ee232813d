package collector

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Self-signed certificate files in Config.TLSDir.
const (
	SelfSignedCert = "collector.crt"
	SelfSignedKey  = "collector.key"
)

// selfSignedValidity is how long a generated certificate is valid.
const selfSignedValidity = 5 * 365 * 24 * time.Hour

// loadCertificate loads the configured certificate, or the self-signed one
// in TLSDir, generating it on first use.
func loadCertificate(cfg Config, log *slog.Logger) (tls.Certificate, error) {
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return cert, fmt.Errorf("collector: cannot load TLS certificate: %w", err)
		}
		return cert, nil
	}
	if cfg.TLSDir == "" {
		certPEM, keyPEM, err := SelfSigned(cfg.Listen)
		if err != nil {
			return tls.Certificate{}, err
		}
		log.Warn("no TLS certificate configured: using a throwaway self-signed one (sensors need --tls-insecure)")
		return tls.X509KeyPair(certPEM, keyPEM)
	}
	certFile, keyFile := filepath.Join(cfg.TLSDir, SelfSignedCert), filepath.Join(cfg.TLSDir, SelfSignedKey)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err == nil && cert.Leaf != nil && time.Now().Before(cert.Leaf.NotAfter) {
		log.Info("using self-signed TLS certificate", "file", certFile, "sha256", fingerprint(cert))
		return cert, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return cert, fmt.Errorf("collector: cannot load self-signed certificate (delete %s and %s to make a new one): %w", certFile, keyFile, err)
	}
	certPEM, keyPEM, err := SelfSigned(cfg.Listen)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(cfg.TLSDir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("collector: cannot create TLS directory: %w", err)
	}
	// Key first, written to a temporary name: a crash leaves no certificate
	// without its key.
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return cert, fmt.Errorf("collector: generated certificate unusable: %w", err)
	}
	log.Info("generated self-signed TLS certificate: give it to sensors with --ca", "file", certFile, "sha256", fingerprint(cert))
	return cert, nil
}

func fingerprint(c tls.Certificate) string {
	if len(c.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(c.Certificate[0])
	return hex.EncodeToString(sum[:])
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("collector: cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("collector: cannot write %s: %w", path, err)
	}
	return nil
}

// SelfSigned returns a PEM certificate and key (ECDSA P-256) for the
// listen address: valid for localhost, the loopback addresses, the host
// name, the listen host, and, for a wildcard listen address, every local
// interface address.
func SelfSigned(listen string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("collector: cannot generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("collector: cannot generate serial: %w", err)
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "spoor collector", Organization: []string{"Spoor (self-signed)"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so the certificate itself can be the sensors' --ca
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	lh, _, _ := net.SplitHostPort(listen)
	if ip := net.ParseIP(lh); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if ip == nil && lh != "" && lh != "localhost" && lh != host {
		tmpl.DNSNames = append(tmpl.DNSNames, lh)
	} else if lh == "" || ip != nil && ip.IsUnspecified() {
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, n.IP)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("collector: cannot create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("collector: cannot encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}
