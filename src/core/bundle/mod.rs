//! Bundles: the untouched official Go release tarball plus two sidecars, so a release can
//! travel on any medium and be checked with standard tools at both ends (DESIGN.md, "Bundle").
//!
//! - `goX.Y.Z.OS-ARCH.tar.gz`: the release, top directory `go/`.
//! - `goX.Y.Z.OS-ARCH.offgo.toml`: the [`Manifest`].
//! - `goX.Y.Z.OS-ARCH.sha256sums`: one `sha256sum -c` line per file of the tree ([`sums`]).
//!
//! [`build`] reads the tarball once, refusing anything `tar -xzf` could use to write outside the
//! release directory; [`verify`] re-checks a bundle at rest; [`Bundle::open`] is what the engine
//! pushes. The formats are documented in `docs/bundle.md`.

mod arch;
mod atomic;
mod build;
mod catalog;
mod entry_path;
mod error;
mod expected;
mod hash;
mod keys;
mod links;
mod manifest;
mod name;
mod open;
pub mod pack;
mod scan;
mod set;
mod signature;
pub mod sums;
mod trust;
mod verify;

pub use arch::goarch_matches_uname;
pub use atomic::PendingFile;
pub use build::{build, builder_identity, BuildOptions, BuildOutput};
pub use catalog::{entry_for as catalog_entry, CatalogEntry};
pub use error::{BundleError, EntryProblem, ErrorClass};
pub use expected::{from_file as expected_sha256_from_file, from_hex as expected_sha256_from_hex};
pub use hash::sha256_file;
pub use keys::{
    keygen, read_public_keys, read_signing_key, KeyPair, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE,
};
pub use manifest::{Manifest, FORMAT_VERSION};
pub use name::ReleaseName;
pub use open::{find_bundles, manifest_path_for, Bundle};
pub use set::{open_trusted_set, BundleSet};
pub use signature::{
    sign_message, signed_message, verify_message, ManifestSignature, PublicKey, SignatureStatus,
};
pub use trust::{open_trusted, TrustPolicy, TrustedBundle};
pub use verify::{verify, Check, SignaturePolicy, VerifyReport};
