//! `app build`: a Go binary (and its `--file` companions) into a bundle — a tarball laid out as
//! the release directory on the host (`bin/NAME`, each file at its DEST), its `.sha256sums` and
//! its manifest — written whole or not at all.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ed25519_dalek::SigningKey;

use super::binary::{inspect, BinaryError, GoBinary};
use super::manifest::{AppManifest, BuildSection, FORMAT_VERSION};
use crate::core::bundle::pack::TarballWriter;
use crate::core::bundle::sums::{render, tree_digest, FileSum};
use crate::core::bundle::PendingFile;

/// One `--file SRC:DEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    pub source: PathBuf,
    /// Relative to the release directory on the host.
    pub dest: String,
}

pub struct AppBuildOptions {
    pub binary: PathBuf,
    pub name: String,
    pub version: String,
    pub files: Vec<ExtraFile>,
    pub out_dir: PathBuf,
    pub signing_key: Option<SigningKey>,
    pub allow_dynamic: bool,
    pub created: SystemTime,
    pub builder: String,
}

pub struct AppBuildOutput {
    pub manifest: AppManifest,
    pub manifest_path: PathBuf,
    pub sums_path: PathBuf,
    pub tarball_path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum AppBuildError {
    #[error("--name {0:?}: use lower-case letters, digits, '-' or '_', starting with a letter or digit (it names directories on every host)")]
    BadName(String),
    #[error("--version {0:?}: use letters, digits, '.', '-', '_' or '+', at most 64 (it names a directory on every host)")]
    BadVersion(String),
    #[error("--file {0:?}: {1}")]
    BadFile(String, String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Binary { path: PathBuf, source: BinaryError },
    #[error(
        "{}: dynamically linked (it needs {}): a host without those libraries cannot run it; \
         build it with CGO_ENABLED=0, or pass --allow-dynamic",
        path.display(),
        if needed.is_empty() { "a program interpreter".to_string() } else { needed.join(", ") }
    )]
    Dynamic { path: PathBuf, needed: Vec<String> },
    #[error(transparent)]
    Write(#[from] crate::core::bundle::BundleError),
}

impl AppBuildError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Exit 2 for what the operator typed, 1 for what the check found.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::BadName(_) | Self::BadVersion(_) | Self::BadFile(..) | Self::Io { .. }
        )
    }
}

/// Checks `--file SRC:DEST`.
pub fn parse_file_arg(text: &str) -> Result<ExtraFile, AppBuildError> {
    let bad = |why: &str| AppBuildError::BadFile(text.to_string(), why.to_string());
    let (source, dest) = text
        .rsplit_once(':')
        .ok_or_else(|| bad("write it as SRC:DEST"))?;
    if source.is_empty() {
        return Err(bad("SRC is empty"));
    }
    check_dest(dest).map_err(|why| bad(&why))?;
    Ok(ExtraFile {
        source: PathBuf::from(source),
        dest: dest.to_string(),
    })
}

fn check_dest(dest: &str) -> Result<(), String> {
    if dest.is_empty() {
        return Err("DEST is empty".into());
    }
    if dest.starts_with('/') {
        return Err("DEST must be relative to the release directory (etc/app.toml)".into());
    }
    if dest.chars().any(|c| c.is_control() || c == '\\') {
        return Err("DEST holds a control character or a backslash".into());
    }
    if dest
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err("DEST may not hold empty, `.` or `..` parts".into());
    }
    Ok(())
}

pub(crate) fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && name.len() <= 64
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

pub(crate) fn valid_version(version: &str) -> bool {
    let mut bytes = version.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric())
        && version.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

/// Builds the bundle. Nothing is left in `out_dir` unless every check passed.
pub fn build(options: &AppBuildOptions) -> Result<AppBuildOutput, AppBuildError> {
    if !valid_name(&options.name) {
        return Err(AppBuildError::BadName(options.name.clone()));
    }
    if !valid_version(&options.version) {
        return Err(AppBuildError::BadVersion(options.version.clone()));
    }
    let binary_path = format!("bin/{}", options.name);
    let mut dests: Vec<&str> = vec![&binary_path];
    for file in &options.files {
        if dests.contains(&file.dest.as_str()) {
            return Err(AppBuildError::BadFile(
                file.dest.clone(),
                "DEST is given twice, or is the binary's own path".into(),
            ));
        }
        // One file may not be the directory of another.
        if dests.iter().any(|d| {
            d.starts_with(&format!("{}/", file.dest)) || file.dest.starts_with(&format!("{d}/"))
        }) {
            return Err(AppBuildError::BadFile(
                file.dest.clone(),
                "DEST is a directory of another entry, or inside one".into(),
            ));
        }
        dests.push(&file.dest);
    }
    let data = std::fs::read(&options.binary).map_err(|e| AppBuildError::io(&options.binary, e))?;
    let go = inspect(&data).map_err(|source| AppBuildError::Binary {
        path: options.binary.clone(),
        source,
    })?;
    if !go.is_static() && !options.allow_dynamic {
        return Err(AppBuildError::Dynamic {
            path: options.binary.clone(),
            needed: go.needed.clone(),
        });
    }
    let mut entries = vec![(binary_path.clone(), data, 0o755)];
    for file in &options.files {
        let meta =
            std::fs::metadata(&file.source).map_err(|e| AppBuildError::io(&file.source, e))?;
        if !meta.is_file() {
            return Err(AppBuildError::BadFile(
                file.source.display().to_string(),
                "SRC is not a regular file".into(),
            ));
        }
        let bytes = std::fs::read(&file.source).map_err(|e| AppBuildError::io(&file.source, e))?;
        use std::os::unix::fs::PermissionsExt;
        // Keep a key's 0600; drop set-id bits.
        entries.push((file.dest.clone(), bytes, meta.permissions().mode() & 0o777));
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let arch = go.goarch.clone();
    let stem = format!("{}-{}.linux-{arch}", options.name, options.version);
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|e| AppBuildError::io(out, e))?;
    let tarball_path = out.join(format!("{stem}.tar.gz"));
    let sums_path = out.join(format!("{stem}.sha256sums"));
    let manifest_path = out.join(format!("{stem}.offgo-app.toml"));
    let mtime = options
        .created
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (pending_tarball, file) = PendingFile::create(&tarball_path)?;
    let (size, sha256, mut sums) =
        write_tarball(file, &entries, mtime).map_err(|e| AppBuildError::io(&tarball_path, e))?;
    let sums_bytes = render(&mut sums);
    let mut manifest = AppManifest {
        format_version: FORMAT_VERSION,
        name: options.name.clone(),
        version: options.version.clone(),
        os: "linux".into(),
        arch,
        tarball: format!("{stem}.tar.gz"),
        size,
        sha256: hex::encode(sha256),
        file_count: sums.len() as u64,
        tree_digest: tree_digest(&sums_bytes),
        binary: binary_path,
        files: options.files.iter().map(|f| f.dest.clone()).collect(),
        is_static: go.is_static(),
        needed: go.needed.clone(),
        created: humantime::format_rfc3339_seconds(options.created).to_string(),
        builder: options.builder.replace('\n', " "),
        build: build_section(&go),
        signature: None,
    };
    if let Some(key) = &options.signing_key {
        manifest.sign(key);
    }
    let toml = toml::to_string(&manifest)
        .map_err(|e| AppBuildError::io(&manifest_path, std::io::Error::other(e)))?;
    let pending_sums = PendingFile::write(&sums_path, &sums_bytes)?;
    let pending_manifest = PendingFile::write(&manifest_path, toml.as_bytes())?;
    // The manifest last: a bundle is only picked up once its manifest is there.
    pending_tarball.commit()?;
    pending_sums.commit()?;
    pending_manifest.commit()?;
    Ok(AppBuildOutput {
        manifest,
        manifest_path,
        sums_path,
        tarball_path,
    })
}

fn build_section(go: &GoBinary) -> BuildSection {
    let b = &go.build;
    let get = |key: &str| b.setting(key).map(str::to_string);
    BuildSection {
        go_version: b.go_version.clone(),
        path: b.path.clone(),
        module: b.module.as_ref().map(|(p, _)| p.clone()),
        module_version: b.module.as_ref().map(|(_, v)| v.clone()),
        cgo_enabled: get("CGO_ENABLED"),
        goos: get("GOOS"),
        goarch: get("GOARCH"),
        ldflags: get("-ldflags"),
        vcs_revision: get("vcs.revision"),
        vcs_time: get("vcs.time"),
        vcs_modified: get("vcs.modified"),
    }
}

/// The tarball of `entries` (path, bytes, mode), in their order; its size and sha256, and each
/// file's sum.
fn write_tarball(
    file: std::fs::File,
    entries: &[(String, Vec<u8>, u32)],
    mtime: u64,
) -> std::io::Result<(u64, [u8; 32], Vec<FileSum>)> {
    let mut tarball = TarballWriter::new(file, mtime);
    let mut sums = Vec::with_capacity(entries.len());
    for (path, bytes, mode) in entries {
        let sha256 = tarball.append(path, *mode, bytes.len() as u64, bytes.as_slice())?;
        sums.push(FileSum {
            path: path.clone(),
            sha256,
        });
    }
    let (size, sha256) = tarball.finish()?;
    Ok((size, sha256, sums))
}

/// Reads a manifest back (for `bundle verify`-like checks and tests).
pub fn load_manifest(path: &Path) -> Result<AppManifest, String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_args_are_checked() {
        assert_eq!(
            parse_file_arg("conf/app.toml:etc/app.toml").unwrap().dest,
            "etc/app.toml"
        );
        for bad in [
            "etc/app.toml",
            ":etc/x",
            "a:/etc/x",
            "a:../x",
            "a:etc/../x",
            "a:etc//x",
            "a:etc/x\n",
        ] {
            assert!(parse_file_arg(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_and_versions_name_directories_safely() {
        assert!(valid_name("svc-api_2"));
        assert!(!valid_name("Svc"));
        assert!(!valid_name("../x"));
        assert!(!valid_name(""));
        assert!(valid_version("1.4.0+build.7"));
        assert!(!valid_version("1.4/0"));
        assert!(!valid_version(".."));
    }
}
