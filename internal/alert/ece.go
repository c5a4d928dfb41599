package alert

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Message encryption for Web Push (RFC 8291) in the aes128gcm content
// coding (RFC 8188), as one record: the payload always fits one.

const (
	recordSize = 4096
	saltLen    = 16
	authLen    = 16
	pointLen   = 65 // an uncompressed P-256 point
	headerLen  = saltLen + 4 + 1 + pointLen
)

// pushKeys derives the content encryption key and nonce from the ECDH
// secret shared by the application server and the browser (section 3.4).
func pushKeys(secret, auth, uaPublic, asPublic, salt []byte) (cipher.AEAD, []byte, error) {
	keyInfo := make([]byte, 0, 14+2*pointLen)
	keyInfo = append(keyInfo, "WebPush: info\x00"...)
	keyInfo = append(keyInfo, uaPublic...)
	keyInfo = append(keyInfo, asPublic...)
	ikm, err := hkdf.Key(sha256.New, secret, auth, string(keyInfo), 32)
	if err != nil {
		return nil, nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	return aead, nonce, err
}

// encryptPush seals plaintext for the browser holding the private half of
// uaPublic. asKey is a key pair used for this message only, and salt 16
// random bytes; both are parameters so RFC 8291's example can be replayed.
func encryptPush(plaintext []byte, uaPublic *ecdh.PublicKey, auth []byte, asKey *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	secret, err := asKey.ECDH(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("ecdh: %w", err)
	}
	asPublic := asKey.PublicKey().Bytes()
	aead, nonce, err := pushKeys(secret, auth, uaPublic.Bytes(), asPublic, salt)
	if err != nil {
		return nil, err
	}
	body := make([]byte, headerLen, headerLen+len(plaintext)+1+aead.Overhead())
	copy(body, salt)
	binary.BigEndian.PutUint32(body[saltLen:], recordSize)
	body[saltLen+4] = pointLen
	copy(body[saltLen+5:], asPublic)
	// The record is the plaintext and the 0x02 delimiter that marks the
	// last record; no padding follows.
	record := append(body[headerLen:], plaintext...)
	record = append(record, 2)
	return aead.Seal(body[:headerLen], nonce, record, nil), nil
}

// DecryptPush is the browser's side of RFC 8291: it opens a message sent to
// the subscription whose private key is uaKey. The server never needs it;
// it is the receiving half of the protocol for the fake push services of
// tests and benchmarks.
func DecryptPush(body []byte, uaKey *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(body) < headerLen {
		return nil, errors.New("decrypt push message: shorter than its header")
	}
	salt := body[:saltLen]
	rs := binary.BigEndian.Uint32(body[saltLen:])
	if body[saltLen+4] != pointLen {
		return nil, fmt.Errorf("decrypt push message: key id of %d bytes, want %d", body[saltLen+4], pointLen)
	}
	asPublic := body[saltLen+5 : headerLen]
	ciphertext := body[headerLen:]
	if rs < 18 || len(ciphertext) > int(rs) {
		return nil, fmt.Errorf("decrypt push message: %d bytes of ciphertext in records of %d", len(ciphertext), rs)
	}
	remote, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("decrypt push message: sender key: %w", err)
	}
	secret, err := uaKey.ECDH(remote)
	if err != nil {
		return nil, fmt.Errorf("decrypt push message: ecdh: %w", err)
	}
	aead, nonce, err := pushKeys(secret, auth, uaKey.PublicKey().Bytes(), asPublic, salt)
	if err != nil {
		return nil, err
	}
	record, err := aead.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt push message: %w", err)
	}
	end := len(record) - 1
	for end >= 0 && record[end] == 0 {
		end--
	}
	if end < 0 || record[end] != 2 {
		return nil, errors.New("decrypt push message: no last-record delimiter")
	}
	return record[:end], nil
}
