//! Real Go release trees for the hosts: each version is extracted once into a cache and given to
//! each host as a hard-linked copy (`cp -al`: fast and takes no space).
//!
//! Hard links share bytes with the cache: a test that changes an installed file in place would
//! change it in the cache and for every later fleet. Replace files instead (write a new file,
//! rename it over the old one), as `HostHandle::flip_byte` and `HostHandle::write_file` do.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cmd;
use super::error::{FleetError, IoContext};

/// `1.22.10` or `go1.22.10` → `1.22.10`, refusing anything that is not a plain version (it
/// becomes part of paths).
pub(crate) fn bare_version(version: &str) -> Result<String, FleetError> {
    let bare = version.strip_prefix("go").unwrap_or(version);
    let plain = !bare.is_empty()
        && bare.starts_with(|c: char| c.is_ascii_digit())
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if plain {
        Ok(bare.to_string())
    } else {
        Err(FleetError::Spec(format!(
            "{version:?} is not a Go version like 1.22.10"
        )))
    }
}

/// The cached, extracted `go/` directory of Go `version` (bare, e.g. `1.22.10`).
pub fn release_tree(version: &str) -> Result<PathBuf, FleetError> {
    let tarball = release_tarball(version)?;
    let trees = trees_dir(&tarball);
    let done = trees.join(format!("go{version}"));
    if done.join("go/VERSION").is_file() {
        return Ok(done.join("go"));
    }
    std::fs::create_dir_all(&trees).ctx(|| format!("creating {}", trees.display()))?;
    let work = tempfile::Builder::new()
        .prefix(".extract-")
        .tempdir_in(&trees)
        .ctx(|| format!("creating a scratch dir in {}", trees.display()))?;
    cmd::run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(work.path()),
    )?;
    if !work.path().join("go/VERSION").is_file() {
        return Err(FleetError::GoRelease {
            version: version.into(),
            detail: format!("{} has no go/VERSION", tarball.display()),
        });
    }
    // Rename is atomic, so a tree in `done` is always complete. If another process got there
    // first the rename fails, and its tree is as good as ours (ours is removed with `work`).
    let _ = std::fs::rename(work.path(), &done);
    if done.join("go/VERSION").is_file() {
        Ok(done.join("go"))
    } else {
        Err(FleetError::GoRelease {
            version: version.into(),
            detail: format!("could not move the extracted tree to {}", done.display()),
        })
    }
}

/// Where extracted trees live: beside the cached tarball (kept between runs), unless fleets are
/// made on another filesystem (`TMPDIR` on a RAM disk, as scripts/test does) — then in the temp
/// dir, so hosts still get hard links rather than a copy of 250 MB each.
fn trees_dir(tarball: &Path) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let beside = tarball.parent().unwrap_or(Path::new(".")).join("trees");
    let temp = std::env::temp_dir();
    let device = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    match (device(tarball), device(&temp)) {
        (Some(cache), Some(fleets)) if cache != fleets => temp.join("offgo-go-trees"),
        _ => beside,
    }
}

/// Gives a host its copy of a cached tree: hard links, or a real copy when `dest` is on
/// another filesystem than the cache.
pub(crate) fn link_tree(tree: &Path, dest: &Path) -> Result<(), FleetError> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
    }
    if cmd::run(Command::new("cp").arg("-al").arg(tree).arg(dest)).is_ok() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dest);
    cmd::run(Command::new("cp").arg("-a").arg(tree).arg(dest)).map(|_| ())
}

/// The official tarball: from the cache `scripts/go-release` fills (`$OFFGO_GO_CACHE`, else
/// `$XDG_CACHE_HOME/offgo/go-releases`), or by running that script when this is a source checkout.
pub fn release_tarball(version: &str) -> Result<PathBuf, FleetError> {
    let name = format!("go{version}.linux-amd64.tar.gz");
    let cache = match std::env::var_os("OFFGO_GO_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => crate::core::xdg::cache_dir().join("go-releases"),
    };
    let cached = cache.join(&name);
    if cached.metadata().is_ok_and(|m| m.len() > 0) {
        return Ok(cached);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-release");
    if !script.is_file() {
        return Err(FleetError::GoRelease {
            version: version.into(),
            detail: format!(
                "{} not found; put the official {name} there",
                cached.display()
            ),
        });
    }
    let out =
        cmd::stdout(Command::new(&script).arg(version)).map_err(|e| FleetError::GoRelease {
            version: version.into(),
            detail: format!("fetching it with {} failed: {e}", script.display()),
        })?;
    Ok(PathBuf::from(out.lines().last().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_plain() {
        assert_eq!(bare_version("go1.22.10").unwrap(), "1.22.10");
        assert_eq!(bare_version("1.21.13").unwrap(), "1.21.13");
        assert_eq!(bare_version("1.23rc1").unwrap(), "1.23rc1");
        for bad in ["", "go", "../1.2", "1.2/x", "x1.2", "1.2 3"] {
            assert!(bare_version(bad).is_err(), "{bad:?} accepted");
        }
    }
}
