//! Signing key files, one line of text each (`#` lines are comments):
//!
//! - `offgo-bundle.key` (mode 0600): `offgo-ed25519-secret <base64 of the 32-byte seed>`
//! - `offgo-bundle.pub`: `offgo-ed25519 <base64 of the 32-byte public key> [comment]`
//!
//! A trusted-keys file is any number of `.pub` lines, so trusting a key is appending its
//! `.pub` file.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;

use super::error::BundleError;
use super::signature::PublicKey;

pub const PRIVATE_KEY_FILE: &str = "offgo-bundle.key";
pub const PUBLIC_KEY_FILE: &str = "offgo-bundle.pub";
const SECRET_TAG: &str = "offgo-ed25519-secret";
const PUBLIC_TAG: &str = "offgo-ed25519";

/// What `keygen` wrote.
#[derive(Debug, Clone)]
pub struct KeyPair {
    pub private_path: PathBuf,
    pub public_path: PathBuf,
    pub public_key: PublicKey,
}

/// Makes a new key pair in `dir` (created if missing). Never overwrites either file.
pub fn keygen(dir: &Path, comment: &str) -> Result<KeyPair, BundleError> {
    let private_path = dir.join(PRIVATE_KEY_FILE);
    let public_path = dir.join(PUBLIC_KEY_FILE);
    for path in [&private_path, &public_path] {
        if path.symlink_metadata().is_ok() {
            return Err(BundleError::KeyExists { path: path.clone() });
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| BundleError::write(dir, e))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| BundleError::write(&private_path, std::io::Error::other(e.to_string())))?;
    let key = SigningKey::from_bytes(&seed);
    let public_key = PublicKey(key.verifying_key());
    let secret = format!(
        "# offgo bundle signing key (ed25519). Keep it secret: whoever holds it can sign bundles.\n{SECRET_TAG} {}\n",
        BASE64.encode(seed)
    );
    let public = format!("{PUBLIC_TAG} {public_key} {}\n", comment.replace('\n', " "));
    create_new(&private_path, secret.as_bytes(), 0o600)?;
    if let Err(e) = create_new(&public_path, public.as_bytes(), 0o644) {
        let _ = std::fs::remove_file(&private_path);
        return Err(e);
    }
    Ok(KeyPair {
        private_path,
        public_path,
        public_key,
    })
}

/// Writes a whole file under a temporary name, then links it into place, which fails if the
/// name is taken: readers never see half a key, and an existing key is never replaced.
fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), BundleError> {
    let temp = super::atomic::temp_path(path);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&temp, path)
    })();
    let _ = std::fs::remove_file(&temp);
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.exists() => {
            Err(BundleError::KeyExists {
                path: path.to_path_buf(),
            })
        }
        Err(e) => Err(BundleError::write(path, e)),
    }
}

/// Reads a private key file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, BundleError> {
    let text = std::fs::read_to_string(path).map_err(|e| BundleError::read(path, e))?;
    let bad = |detail: &str| BundleError::KeyFile {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    let line = key_lines(&text).next().ok_or_else(|| bad("no key line"))?;
    let encoded = line
        .strip_prefix(SECRET_TAG)
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or_else(|| {
            bad(&format!(
                "expected `{SECRET_TAG} <base64>` (is this the .pub file?)"
            ))
        })?;
    let seed = BASE64
        .decode(encoded)
        .map_err(|_| bad("the key is not base64"))?;
    let seed: [u8; 32] = seed
        .try_into()
        .map_err(|_| bad("the key is not 32 bytes"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads trusted public keys: a `.pub` file, or several `.pub` lines in one file.
pub fn read_public_keys(path: &Path) -> Result<Vec<PublicKey>, BundleError> {
    let text = std::fs::read_to_string(path).map_err(|e| BundleError::read(path, e))?;
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |detail: String| BundleError::KeyFile {
            path: path.to_path_buf(),
            detail: format!("line {}: {detail}", index + 1),
        };
        let mut words = line.split_whitespace();
        if words.next() != Some(PUBLIC_TAG) {
            return Err(bad(format!("expected `{PUBLIC_TAG} <base64> [comment]`")));
        }
        let key = PublicKey::from_base64(words.next().unwrap_or_default()).map_err(bad)?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(BundleError::KeyFile {
            path: path.to_path_buf(),
            detail: "no public keys in it".into(),
        });
    }
    Ok(keys)
}

fn key_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keygen_writes_a_usable_private_pair_once() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let pair = keygen(&keys, "ops@jump").unwrap();
        let mode = std::fs::metadata(&pair.private_path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let secret = read_signing_key(&pair.private_path).unwrap();
        assert_eq!(PublicKey(secret.verifying_key()), pair.public_key);
        assert_eq!(
            read_public_keys(&pair.public_path).unwrap(),
            vec![pair.public_key]
        );
        let before = std::fs::read(&pair.private_path).unwrap();
        let err = keygen(&keys, "again").unwrap_err();
        assert!(matches!(err, BundleError::KeyExists { .. }), "{err}");
        assert_eq!(std::fs::read(&pair.private_path).unwrap(), before);
        assert_eq!(
            std::fs::read_dir(&keys).unwrap().count(),
            2,
            "no temporary files left"
        );
    }

    #[test]
    fn key_files_of_the_wrong_kind_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pair = keygen(dir.path(), "x").unwrap();
        let err = read_signing_key(&pair.public_path).unwrap_err().to_string();
        assert!(err.contains("is this the .pub file?"), "{err}");
        let err = read_public_keys(&pair.private_path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
