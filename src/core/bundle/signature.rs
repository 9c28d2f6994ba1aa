//! Ed25519 signatures over a manifest.
//!
//! The signed message is this UTF-8 text, each line ending in `\n`, values copied from the
//! manifest (all are checked to be free of newlines before signing or verifying):
//!
//! ```text
//! offgo-bundle-signature-v1
//! format_version=1
//! go_version=go1.22.10
//! os=linux
//! arch=amd64
//! tarball=go1.22.10.linux-amd64.tar.gz
//! size=69162776
//! sha256=<tarball sha256, 64 lowercase hex>
//! file_count=13402
//! tree_digest=<sha256 of the .sha256sums bytes, 64 lowercase hex>
//! ```
//!
//! The first line separates these signatures from anything else the same key might sign.
//! `created` and `builder` are informational and not signed. The signature is Ed25519
//! (RFC 8032, checked with `verify_strict`); key and value are standard base64 with padding.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::manifest::Manifest;

pub const ALGORITHM: &str = "ed25519";
const DOMAIN: &str = "offgo-bundle-signature-v1";

/// The `[signature]` table of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSignature {
    pub algorithm: String,
    pub public_key: String,
    pub value: String,
}

impl ManifestSignature {
    pub fn decode(&self) -> Result<(PublicKey, ed25519_dalek::Signature), String> {
        let key = PublicKey::from_base64(&self.public_key)?;
        let bytes = BASE64
            .decode(self.value.trim())
            .map_err(|_| "value is not base64".to_string())?;
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| "value is not 64 bytes".to_string())?;
        Ok((key, ed25519_dalek::Signature::from_bytes(&bytes)))
    }
}

/// An Ed25519 public key; shown and compared as its base64 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub(crate) VerifyingKey);

impl PublicKey {
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| "public key is not base64".to_string())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "public key is not 32 bytes".to_string())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| "public key is not a valid ed25519 point".into())
    }

    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.as_bytes())
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_base64())
    }
}

/// The exact bytes a bundle signature covers (see the module docs).
pub fn signed_message(m: &Manifest) -> Vec<u8> {
    format!(
        "{DOMAIN}\nformat_version={}\ngo_version={}\nos={}\narch={}\ntarball={}\nsize={}\nsha256={}\n\
         file_count={}\ntree_digest={}\n",
        m.format_version, m.go_version, m.os, m.arch, m.tarball, m.size, m.sha256, m.file_count, m.tree_digest
    )
    .into_bytes()
}

/// Signs `message` (a manifest's signed text, see its kind's `signed_message`).
pub fn sign_message(message: &[u8], key: &SigningKey) -> ManifestSignature {
    let value = key.sign(message);
    ManifestSignature {
        algorithm: ALGORITHM.to_string(),
        public_key: BASE64.encode(key.verifying_key().as_bytes()),
        value: BASE64.encode(value.to_bytes()),
    }
}

/// Whether `signature` is a valid signature of `message` by its own key (no trust policy).
pub fn verify_message(signature: &ManifestSignature, message: &[u8]) -> bool {
    signature
        .decode()
        .is_ok_and(|(key, value)| key.0.verify_strict(message, &value).is_ok())
}

/// Signs `manifest` (its signed fields must already be final).
pub fn sign(manifest: &Manifest, key: &SigningKey) -> ManifestSignature {
    sign_message(&signed_message(manifest), key)
}

/// What a manifest's signature says, before any trust policy is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    Unsigned,
    /// The signature matches the manifest. `trusted` tells whether the key is one of the trusted
    /// keys it was checked against (false when none were given).
    Signed {
        key: PublicKey,
        trusted: bool,
    },
    /// There is a signature, but it does not match the manifest (or cannot be decoded).
    Invalid {
        detail: String,
    },
}

impl std::fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureStatus::Unsigned => f.write_str("unsigned"),
            SignatureStatus::Signed { key, trusted: true } => {
                write!(f, "signed by trusted key {key}")
            }
            SignatureStatus::Signed {
                key,
                trusted: false,
            } => write!(f, "signed by key {key}"),
            SignatureStatus::Invalid { detail } => write!(f, "INVALID signature: {detail}"),
        }
    }
}

/// Checks the signature of `manifest` cryptographically, with no trust policy.
pub fn status(manifest: &Manifest) -> SignatureStatus {
    let Some(signature) = &manifest.signature else {
        return SignatureStatus::Unsigned;
    };
    let (key, value) = match signature.decode() {
        Ok(decoded) => decoded,
        Err(detail) => return SignatureStatus::Invalid { detail },
    };
    match key.0.verify_strict(&signed_message(manifest), &value) {
        Ok(()) => SignatureStatus::Signed {
            key,
            trusted: false,
        },
        Err(_) => SignatureStatus::Invalid {
            detail: format!("ed25519 verification failed for key {key}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bundle::manifest::tests::sample;

    #[test]
    fn the_signed_message_is_the_documented_text() {
        let text = String::from_utf8(signed_message(&sample())).unwrap();
        let expected = format!(
            "offgo-bundle-signature-v1\nformat_version=1\ngo_version=go1.22.10\nos=linux\narch=amd64\n\
             tarball=go1.22.10.linux-amd64.tar.gz\nsize=1234\nsha256={}\nfile_count=3\ntree_digest={}\n",
            "a".repeat(64),
            "b".repeat(64)
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn signatures_cover_every_signed_field() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut m = sample();
        m.signature = Some(sign(&m, &key));
        assert!(matches!(
            status(&m),
            SignatureStatus::Signed { trusted: false, .. }
        ));
        let changes: Vec<fn(&mut Manifest)> = vec![
            |m| m.size += 1,
            |m| m.sha256 = "c".repeat(64),
            |m| m.tree_digest = "c".repeat(64),
            |m| m.file_count += 1,
            |m| m.go_version = "go1.22.11".into(),
            |m| m.arch = "arm64".into(),
        ];
        for change in changes {
            let mut tampered = m.clone();
            change(&mut tampered);
            assert!(matches!(status(&tampered), SignatureStatus::Invalid { .. }));
        }
        let mut unsigned_field = m.clone();
        unsigned_field.builder = "someone else".into();
        assert!(matches!(
            status(&unsigned_field),
            SignatureStatus::Signed { .. }
        ));
    }
}
