//! Envelope encryption, blind indexes and key handling for nepenthe (RustCrypto only).
//!
//! # Layout
//! - A [`Kek`] (key-encryption key) comes from configuration, never from the database.
//!   A [`Keyring`] holds the current KEK and, during rotation, older ones.
//! - A [`DataKey`] is generated per contact (or per interaction without a contact). It is
//!   stored only wrapped by the KEK; destroying the wrapped copy is crypto-shredding.
//! - [`DataKey::seal`]/[`DataKey::open`] encrypt one field with AES-256-GCM, bound by
//!   associated data to the record it belongs to, so a ciphertext moved to another row or
//!   column fails authentication.
//! - A [`BlindIndexer`] computes keyed HMAC-SHA256 digests of normalised values so lookups
//!   work without plaintext. Equal values give equal digests: that is the documented leak.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("key must be 32 bytes, base64 encoded")]
    BadKeyEncoding,
    #[error("authentication failed (wrong key, truncated or tampered data)")]
    Authentication,
    #[error("ciphertext is truncated or has an unknown format version")]
    Format,
    #[error("data key was wrapped by key-encryption key '{0}', which is not configured")]
    UnknownKek(String),
}

fn random_32() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(k.as_mut());
    k
}

/// True in builds made with the `insecure-plaintext-bench` feature, where sealing is a copy.
pub const PLAINTEXT_BENCH: bool = cfg!(feature = "insecure-plaintext-bench");

fn seal_with(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    if PLAINTEXT_BENCH {
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(VERSION);
        out.extend_from_slice(&[0u8; NONCE_LEN]);
        out.extend_from_slice(plaintext);
        out.extend_from_slice(&[0u8; TAG_LEN]);
        return out;
    }
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    // ThreadRng is a CSPRNG (ChaCha, seeded and periodically reseeded from the OS); using
    // it for nonces avoids a getrandom system call per sealed field.
    rand::thread_rng().fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open_with(key: &[u8; 32], data: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if data.len() < 1 + NONCE_LEN + TAG_LEN || data[0] != VERSION {
        return Err(CryptoError::Format);
    }
    if PLAINTEXT_BENCH {
        return Ok(data[1 + NONCE_LEN..data.len() - TAG_LEN].to_vec());
    }
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt(
            Nonce::from_slice(&data[1..1 + NONCE_LEN]),
            Payload {
                msg: &data[1 + NONCE_LEN..],
                aad,
            },
        )
        .map_err(|_| CryptoError::Authentication)
}

/// A key-encryption key. Its id is a digest of the key, safe to store beside wrapped keys.
pub struct Kek {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kek({})", self.id)
    }
}

impl Kek {
    /// Parses a base64-encoded 32-byte key (surrounding whitespace ignored).
    pub fn from_base64(s: &str) -> Result<Kek, CryptoError> {
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(s.trim())
                .map_err(|_| CryptoError::BadKeyEncoding)?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::BadKeyEncoding)?;
        Ok(Kek::from_bytes(key))
    }

    fn from_bytes(key: [u8; 32]) -> Kek {
        let key = Zeroizing::new(key);
        let mut h = Sha256::new();
        h.update(b"nepenthe kek id v1");
        h.update(key.as_ref());
        let id = hex::encode(&h.finalize()[..8]);
        Kek { id, key }
    }

    /// A fresh random key and its base64 form (to be stored by the operator).
    pub fn generate() -> (Kek, Zeroizing<String>) {
        let key = random_32();
        let text = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_ref()));
        (Kek::from_bytes(*key), text)
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A wrapped data key as stored in the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    pub kek_id: String,
    pub bytes: Vec<u8>,
}

/// The current KEK plus older ones still accepted for unwrapping (during rotation).
#[derive(Debug)]
pub struct Keyring {
    current: Kek,
    previous: Vec<Kek>,
}

impl Keyring {
    pub fn new(current: Kek) -> Keyring {
        Keyring {
            current,
            previous: vec![],
        }
    }

    pub fn with_previous(mut self, old: Kek) -> Keyring {
        if old.id != self.current.id {
            self.previous.push(old);
        }
        self
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Wraps a data key under the current KEK; `aad` binds it to its owner.
    pub fn wrap(&self, dk: &DataKey, aad: &[u8]) -> WrappedKey {
        WrappedKey {
            kek_id: self.current.id.clone(),
            bytes: seal_with(&self.current.key, dk.0.as_ref(), aad),
        }
    }

    pub fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<DataKey, CryptoError> {
        let kek = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == wrapped.kek_id)
            .ok_or_else(|| CryptoError::UnknownKek(wrapped.kek_id.clone()))?;
        let plain = Zeroizing::new(open_with(&kek.key, &wrapped.bytes, aad)?);
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Format)?;
        Ok(DataKey(Zeroizing::new(key)))
    }
}

/// A per-contact (or per-interaction) data-encryption key.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> DataKey {
        DataKey(random_32())
    }

    /// Encrypts `plaintext`: `version || nonce || ciphertext || tag`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        seal_with(&self.0, plaintext, aad)
    }

    pub fn open(&self, data: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.0, data, aad)
    }

    /// Derives a blind indexer from this key (used for a tenant's index key).
    pub fn indexer(&self) -> BlindIndexer {
        BlindIndexer(self.0.clone())
    }
}

/// Keyed HMAC-SHA256 over a kind label and a normalised value.
#[derive(Clone)]
pub struct BlindIndexer(Zeroizing<[u8; 32]>);

impl fmt::Debug for BlindIndexer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlindIndexer(..)")
    }
}

impl BlindIndexer {
    pub fn digest(&self, kind: &str, normalized: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .expect("HMAC accepts any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// Hex SHA-256 of some bytes (attachment digests, receipt digests, token hashes).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A random secret token of 32 bytes, URL-safe base64, with a prefix for recognisability.
pub fn generate_token() -> Zeroizing<String> {
    let k = random_32();
    Zeroizing::new(format!(
        "npt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.as_ref())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let dk = DataKey::generate();
        let ct = dk.seal(b"canary", b"row1");
        assert_eq!(dk.open(&ct, b"row1").unwrap(), b"canary");
        assert_eq!(dk.open(&ct, b"row2"), Err(CryptoError::Authentication));
        let mut bad = ct.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(dk.open(&bad, b"row1"), Err(CryptoError::Authentication));
        assert_eq!(dk.open(&ct[..10], b"row1"), Err(CryptoError::Format));
        assert_eq!(
            DataKey::generate().open(&ct, b"row1"),
            Err(CryptoError::Authentication)
        );
        assert!(!ct.windows(6).any(|w| w == b"canary"));
    }

    #[test]
    fn wrap_unwrap_and_rotation() {
        let (k1, text1) = Kek::generate();
        let k1_again = Kek::from_base64(&text1).unwrap();
        assert_eq!(k1.id(), k1_again.id());
        let ring = Keyring::new(k1);
        let dk = DataKey::generate();
        let w = ring.wrap(&dk, b"c1");
        let back = ring.unwrap(&w, b"c1").unwrap();
        assert_eq!(back.open(&dk.seal(b"x", b""), b"").unwrap(), b"x");
        assert!(ring.unwrap(&w, b"c2").is_err());

        let (k2, _) = Kek::generate();
        let rotated = Keyring::new(k2).with_previous(k1_again);
        let back = rotated.unwrap(&w, b"c1").unwrap();
        let w2 = rotated.wrap(&back, b"c1");
        assert_eq!(w2.kek_id, rotated.current_id());
        let (k3, _) = Kek::generate();
        assert!(matches!(
            Keyring::new(k3).unwrap(&w2, b"c1"),
            Err(CryptoError::UnknownKek(_))
        ));
    }

    #[test]
    fn bad_key_encodings() {
        assert!(Kek::from_base64("nope").is_err());
        assert!(Kek::from_base64("AAAA").is_err());
    }

    #[test]
    fn blind_index_is_keyed() {
        let a = DataKey::generate().indexer();
        let b = DataKey::generate().indexer();
        assert_eq!(a.digest("email", "x@y.z"), a.digest("email", "x@y.z"));
        assert_ne!(a.digest("email", "x@y.z"), b.digest("email", "x@y.z"));
        assert_ne!(a.digest("email", "x@y.z"), a.digest("phone", "x@y.z"));
    }
}
