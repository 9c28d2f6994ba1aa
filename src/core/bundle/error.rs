//! Everything that can go wrong with a bundle, worded for the operator: what went wrong, in
//! which file or tarball entry, and what to do about it.

use std::path::{Path, PathBuf};

/// Why a tarball entry is refused. Each one would let `tar -xzf` on a host write outside the
/// release directory, or put something there that is not part of a Go release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    Absolute,
    ParentDir,
    OutsideGo,
    NotUtf8,
    /// Newline, carriage return or backslash: `sha256sum` would need escapes for these names.
    UnusualCharacter,
    EmptyPath,
    Duplicate,
    Device,
    Fifo,
    Unsupported(String),
    TopIsNotDirectory,
    SymlinkEscapes {
        target: String,
    },
    SymlinkLoop {
        target: String,
    },
    HardLinkEscapes {
        target: String,
    },
    HardLinkToUnknown {
        target: String,
    },
    UnderSymlink {
        link: String,
    },
}

impl std::fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntryProblem::Absolute => f.write_str("is an absolute path"),
            EntryProblem::ParentDir => f.write_str("has a `..` component"),
            EntryProblem::OutsideGo => f.write_str("is outside the top directory `go/`"),
            EntryProblem::NotUtf8 => f.write_str("has a name that is not UTF-8"),
            EntryProblem::UnusualCharacter => {
                f.write_str("has a newline, carriage return or backslash in its name")
            }
            EntryProblem::EmptyPath => f.write_str("has an empty path"),
            EntryProblem::Duplicate => f.write_str("appears twice"),
            EntryProblem::Device => f.write_str("is a device node"),
            EntryProblem::Fifo => f.write_str("is a FIFO"),
            EntryProblem::Unsupported(kind) => write!(f, "is an unsupported entry type ({kind})"),
            EntryProblem::TopIsNotDirectory => f.write_str("must be a directory"),
            EntryProblem::SymlinkEscapes { target } => {
                write!(
                    f,
                    "is a symlink to `{target}`, which points outside the tree"
                )
            }
            EntryProblem::SymlinkLoop { target } => {
                write!(f, "is a symlink to `{target}`, which never resolves (loop)")
            }
            EntryProblem::HardLinkEscapes { target } => {
                write!(f, "is a hard link to `{target}`, which is outside the tree")
            }
            EntryProblem::HardLinkToUnknown { target } => write!(
                f,
                "is a hard link to `{target}`, which is not a regular file earlier in the tarball"
            ),
            EntryProblem::UnderSymlink { link } => {
                write!(f, "lies under `{link}`, which is a symlink")
            }
        }
    }
}

/// How the CLI should treat an error: the operator's input was wrong (exit 2), or a bundle
/// check failed (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Usage,
    CheckFailed,
}

const REFETCH: &str = "get the tarball again from the official Go release and check its sha256";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "{name} is not an official Go release tarball name (expected goX.Y.Z.OS-ARCH.tar.gz, \
         e.g. go1.22.10.linux-amd64.tar.gz); rename it to the name it was published under"
    )]
    BadName { name: String },

    #[error(
        "{} is neither a bundle manifest (….offgo.toml) nor a release tarball (….tar.gz)",
        path.display()
    )]
    NotABundlePath { path: PathBuf },

    #[error("{}: {detail}", source_name)]
    ExpectedSha256 { source_name: String, detail: String },

    #[error("release catalog {catalog}: {detail}")]
    Catalog { catalog: String, detail: String },

    #[error("refusing {tarball}: release catalog {catalog}: {detail}")]
    NotAsCatalogued {
        tarball: String,
        catalog: String,
        detail: String,
    },

    #[error(
        "{tarball}: {actual} bytes, but the release catalog says {expected}: the tarball is \
         damaged or not the published one; {REFETCH}"
    )]
    SizeMismatch {
        tarball: String,
        expected: u64,
        actual: u64,
    },

    #[error(
        "{tarball}: sha256 is {actual}, but {expected} was expected: the tarball is damaged or \
         not the published one; {REFETCH}"
    )]
    Sha256Mismatch {
        tarball: String,
        expected: String,
        actual: String,
    },

    #[error("refusing {tarball}: entry `{entry}` {problem}; {REFETCH}")]
    UnsafeEntry {
        tarball: String,
        entry: String,
        problem: EntryProblem,
    },

    #[error("refusing {tarball}: {detail}; {REFETCH}")]
    Corrupt { tarball: String, detail: String },

    #[error(
        "refusing {tarball}: entry `go/VERSION` says {found:?}, but the file name says {expected}; \
         the tarball was renamed or repacked"
    )]
    VersionMismatch {
        tarball: String,
        found: String,
        expected: String,
    },

    #[error("refusing {tarball}: it has no `go/VERSION` file, so it is not a Go release tree")]
    MissingVersion { tarball: String },

    #[error("manifest {}: {detail}", path.display())]
    Manifest { path: PathBuf, detail: String },

    #[error("{}: {detail}", path.display())]
    Sums { path: PathBuf, detail: String },

    #[error("key file {}: {detail}", path.display())]
    KeyFile { path: PathBuf, detail: String },

    #[error("{} already exists; keygen never overwrites a key (move it away first)", path.display())]
    KeyExists { path: PathBuf },

    #[error(
        "manifest {}: the signature does not match its contents ({detail}); the manifest was \
         changed after signing — rebuild and re-sign the bundle",
        path.display()
    )]
    SignatureInvalid { path: PathBuf, detail: String },

    #[error(
        "manifest {}: the bundle is not signed, and a signature is required; build it with \
         `bundle build --sign KEY`",
        path.display()
    )]
    Unsigned { path: PathBuf },

    #[error(
        "manifest {}: signed by key {key}, which is not one of the trusted keys; add its .pub \
         line to the trusted keys if you trust it",
        path.display()
    )]
    UntrustedKey { path: PathBuf, key: String },

    #[error("a signed bundle is required, but no trusted keys were given to check it against")]
    NoTrustedKeys,

    /// A directory given as a bundle set that is not one (see `super::set`).
    #[error("bundle set {}: {detail}", dir.display())]
    Set { dir: PathBuf, detail: String },
}

impl BundleError {
    pub fn read(path: &Path, source: std::io::Error) -> Self {
        BundleError::Read {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn write(path: &Path, source: std::io::Error) -> Self {
        BundleError::Write {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A short snake_case name for `--json` output and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            BundleError::Read { .. } => "read",
            BundleError::Write { .. } => "write",
            BundleError::BadName { .. } => "bad_name",
            BundleError::NotABundlePath { .. } => "not_a_bundle_path",
            BundleError::ExpectedSha256 { .. } => "expected_sha256",
            BundleError::Sha256Mismatch { .. } => "sha256_mismatch",
            BundleError::Catalog { .. } => "catalog",
            BundleError::NotAsCatalogued { .. } => "not_as_catalogued",
            BundleError::SizeMismatch { .. } => "size_mismatch",
            BundleError::UnsafeEntry { .. } => "unsafe_entry",
            BundleError::Corrupt { .. } => "corrupt_tarball",
            BundleError::VersionMismatch { .. } => "version_mismatch",
            BundleError::MissingVersion { .. } => "missing_version",
            BundleError::Manifest { .. } => "manifest",
            BundleError::Sums { .. } => "sha256sums",
            BundleError::KeyFile { .. } => "key_file",
            BundleError::KeyExists { .. } => "key_exists",
            BundleError::SignatureInvalid { .. } => "signature_invalid",
            BundleError::Unsigned { .. } => "unsigned",
            BundleError::UntrustedKey { .. } => "untrusted_key",
            BundleError::NoTrustedKeys => "no_trusted_keys",
            BundleError::Set { .. } => "bundle_set",
        }
    }

    pub fn class(&self) -> ErrorClass {
        match self {
            BundleError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorClass::Usage
            }
            BundleError::Write { .. }
            | BundleError::BadName { .. }
            | BundleError::NotABundlePath { .. }
            | BundleError::ExpectedSha256 { .. }
            | BundleError::Catalog { .. }
            | BundleError::KeyFile { .. }
            | BundleError::KeyExists { .. }
            | BundleError::NoTrustedKeys => ErrorClass::Usage,
            _ => ErrorClass::CheckFailed,
        }
    }
}
