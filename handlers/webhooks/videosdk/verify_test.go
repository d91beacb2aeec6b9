package videosdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
)

// testKeys are generated once per test binary: 2048-bit RSA is slow to make.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return a, b
})

func signingKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, _ := testKeys()
	return k
}

func otherKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	_, k := testKeys()
	return k
}

func sign(t testing.TB, key *rsa.PrivateKey, body []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return sig
}

func pemPKIX(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func pemPKCS1(pub *rsa.PublicKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}))
}

func pemCert(t testing.TB, priv crypto.Signer) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "videosdk webhooks test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// oneLine writes PEM as one line with literal \n, as in an env variable.
func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }

func TestParsePublicKeyAccepts(t *testing.T) {
	priv := signingKey(t)
	pkix := pemPKIX(t, &priv.PublicKey)
	pkcs1 := pemPKCS1(&priv.PublicKey)
	cases := map[string]string{
		"PKIX":                        pkix,
		"PKCS1":                       pkcs1,
		"PKIX one line":               oneLine(pkix),
		"PKCS1 one line":              oneLine(pkcs1),
		"PKIX surrounded by space":    "\n\n  " + pkix + "  \n",
		"PKIX one line, trailing \\n": oneLine(pkix) + `\n`,
		"PKIX CRLF":                   strings.ReplaceAll(pkix, "\n", "\r\n"),
		"certificate":                 pemCert(t, priv),
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(name, "one line") && strings.Contains(text, `\n`) {
				t.Fatal("test setup: literal \\n outside the one-line cases")
			}
			if strings.Contains(name, "one line") && strings.Contains(text, "\n") {
				t.Fatal("test setup: one-line form holds a newline")
			}
			key, err := ParsePublicKey([]byte(text))
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if !key.Equal(&priv.PublicKey) {
				t.Fatal("ParsePublicKey returned a different key")
			}
			body := []byte(`{"webhookType":"session-started"}`)
			if err := Verify(key, body, base64.StdEncoding.EncodeToString(sign(t, priv, body))); err != nil {
				t.Errorf("Verify with the parsed key: %v", err)
			}
		})
	}
}

func TestParsePublicKeyRejects(t *testing.T) {
	priv := signingKey(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pkixDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkix := pemPKIX(t, &priv.PublicKey)
	cases := []struct {
		name, text string
		mention    string // the error must say this
	}{
		{"empty", "", "no PEM block"},
		{"blank", " \n\t ", "no PEM block"},
		{"garbage", "this is not a key", "no PEM block"},
		{"bare base64", base64.StdEncoding.EncodeToString(pkixDER), "no PEM block"},
		{"truncated PEM", pkix[:len(pkix)/2], "no PEM block"},
		{"EC key", pemPKIX(t, &ec.PublicKey), "not an RSA key"},
		{"EC certificate", pemCert(t, ec), "not an RSA key"},
		{"private key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), "unexpected PEM block"},
		{"PKIX bytes labelled PKCS1", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkixDER})), "videosdk public key"},
		{"PKCS1 bytes labelled PKIX", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&priv.PublicKey)})), "videosdk public key"},
		{"junk in the block", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")})), "videosdk public key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParsePublicKey([]byte(tc.text))
			if err == nil {
				t.Fatalf("ParsePublicKey accepted it (key %v)", key != nil)
			}
			if key != nil {
				t.Errorf("ParsePublicKey returned a key with its error")
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			if !strings.HasPrefix(err.Error(), "videosdk public key") {
				t.Errorf("error %q does not say it is about the videosdk public key", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	priv, other := signingKey(t), otherKey(t)
	pub := &priv.PublicKey
	body := webhooktest.ReadFixture(t, "v2/recording-stopped.json")
	sig := sign(t, priv, body)
	std := base64.StdEncoding.EncodeToString(sig)

	t.Run("good", func(t *testing.T) {
		for name, header := range map[string]string{
			"standard":          std,
			"padded with space": "  " + std + "\r\n",
			"URL alphabet":      base64.RawURLEncoding.EncodeToString(sig),
			"URL alphabet pad":  base64.URLEncoding.EncodeToString(sig),
		} {
			if err := Verify(pub, body, header); err != nil {
				t.Errorf("%s: Verify: %v", name, err)
			}
		}
	})

	wrongBody := append([]byte(nil), body...)
	wrongBody[len(wrongBody)/2] ^= 1
	pss, err := rsa.SignPSS(rand.Reader, priv, crypto.SHA256, sha256Sum(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name   string
		key    *rsa.PublicKey
		body   []byte
		header string
	}{
		{"wrong body", pub, wrongBody, std},
		{"body with a trailing newline", pub, append(append([]byte(nil), body...), '\n'), std},
		{"empty body", pub, nil, std},
		{"wrong key", &other.PublicKey, body, std},
		{"signed by another key", pub, body, base64.StdEncoding.EncodeToString(sign(t, other, body))},
		{"truncated signature", pub, body, base64.StdEncoding.EncodeToString(sig[:len(sig)-1])},
		{"signature with a byte more", pub, body, base64.StdEncoding.EncodeToString(append(append([]byte(nil), sig...), 0))},
		{"truncated header", pub, body, std[:len(std)-4]},
		{"flipped bit", pub, body, base64.StdEncoding.EncodeToString(flip(sig, 10))},
		{"PSS signature", pub, body, base64.StdEncoding.EncodeToString(pss)},
		{"hex instead of base64", pub, body, hexString(sig)},
		{"not base64", pub, body, "!!!not base64???"},
		{"empty header", pub, body, ""},
		{"blank header", pub, body, " \t "},
		{"short base64", pub, body, "AAAA"},
		{"all zero signature", pub, body, base64.StdEncoding.EncodeToString(make([]byte, len(sig)))},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.key, tc.body, tc.header)
			if err == nil {
				t.Fatal("Verify accepted it")
			}
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("error %v does not wrap ErrBadSignature", err)
			}
		})
	}
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
