package videosdk

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// SignatureHeader is the request header that carries VideoSDK's signature.
const SignatureHeader = "videosdk-signature"

// ErrBadSignature is wrapped by Verify's errors.
var ErrBadSignature = errors.New("bad signature")

// ParsePublicKey reads VideoSDK's webhook public key from PEM: a PKIX
// "PUBLIC KEY", a PKCS #1 "RSA PUBLIC KEY" or a certificate. Literal "\n"
// sequences are taken as newlines, so the key fits in one environment
// variable.
func ParsePublicKey(text []byte) (*rsa.PublicKey, error) {
	s := strings.ReplaceAll(strings.TrimSpace(string(text)), `\n`, "\n")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("videosdk public key: no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("videosdk public key: unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("videosdk public key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("videosdk public key: not an RSA key (%T)", key)
	}
	return rsaKey, nil
}

// Verify checks a base64 RSA-SHA256 (PKCS #1 v1.5) signature over the raw
// body.
func Verify(key *rsa.PublicKey, body []byte, signature string) error {
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadSignature, SignatureHeader)
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		if sig, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(signature, "=")); err != nil {
			return fmt.Errorf("%w: %s header is not base64", ErrBadSignature, SignatureHeader)
		}
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: signature does not match the body", ErrBadSignature)
	}
	return nil
}
