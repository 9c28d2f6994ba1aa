//! Builds one host's files from its spec before its `sshd` starts: the Go install, offgo's
//! state and profile, the app binaries and the audit log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::app_bins;
use super::error::{FleetError, IoContext};
use super::go_tree::{bare_version, link_tree};
use super::layout::{HostLayout, APP_BIN_DIR};
use super::spec::{GoInstall, HostSpec};

/// Cached release trees by bare version (`1.22.10`), resolved once for the whole fleet.
pub(crate) type Trees = HashMap<String, PathBuf>;

pub(crate) fn populate(
    layout: &HostLayout,
    spec: &HostSpec,
    trees: &Trees,
    app_cache: Option<&Path>,
) -> Result<(), FleetError> {
    layout.create()?;
    match &spec.go {
        GoInstall::None => {}
        GoInstall::Manual { version } => link_tree(
            tree(trees, version)?,
            &layout.local(&layout.paths().go_root),
        )?,
        GoInstall::Managed { current, previous } => {
            managed(layout, trees, current, previous.as_deref())?
        }
    }
    app_bins::install(spec.app, app_cache, &layout.local(APP_BIN_DIR))?;
    if let Some(bytes) = &spec.audit_log {
        write(&layout.local(&layout.paths().audit_log), bytes)?;
    }
    fake_arch(layout, spec.arch.as_deref())
}

/// A host that reports `arch`: `uname -m` (and `-p`, `-i`) answer it through a wrapper in the
/// host's `/usr/local/bin` (before `/usr/bin` on sshd's and sudo's PATH); the file the sshd
/// command bind-mounts over `/proc/sys/kernel/arch` says it too. Any other `uname` is the real one.
fn fake_arch(layout: &HostLayout, arch: Option<&str>) -> Result<(), FleetError> {
    let file = layout.arch_file();
    let Some(arch) = arch else {
        let _ = std::fs::remove_file(&file);
        return Ok(());
    };
    let q = crate::core::remote::quote::sh_quote(arch);
    let wrapper = layout.local("/usr/local/bin/uname");
    write(
        &wrapper,
        format!(
            "#!/bin/sh\n# offgo test fleet: this host reports {q} as its architecture.\n\
             case \"$*\" in -m | -p | -i) echo {q}; exit 0 ;; esac\n\
             exec /usr/bin/uname \"$@\"\n"
        )
        .as_bytes(),
    )?;
    super::layout::set_mode(&wrapper, 0o755)?;
    write(&file, format!("{arch}\n").as_bytes())
}

/// What offgo leaves after a push: releases, the `go_root` symlink (its target as the host
/// sees it), `state.json` and the env profile.
fn managed(
    layout: &HostLayout,
    trees: &Trees,
    current: &str,
    previous: Option<&str>,
) -> Result<(), FleetError> {
    let paths = layout.paths();
    let current = format!("go{}", bare_version(current)?);
    let previous = previous
        .map(|v| bare_version(v).map(|b| format!("go{b}")))
        .transpose()?;
    for version in std::iter::once(&current).chain(previous.as_ref()) {
        link_tree(
            tree(trees, version)?,
            &layout.local(&paths.release_go_dir(version)),
        )?;
    }
    let link = layout.local(&paths.go_root);
    std::os::unix::fs::symlink(paths.release_go_dir(&current), &link)
        .ctx(|| format!("linking {}", link.display()))?;
    let state = serde_json::json!({ "current": current, "previous": previous, "history": [] });
    write(
        &layout.local(&paths.state_file()),
        format!("{state}\n").as_bytes(),
    )?;
    write(
        &layout.local(&paths.profile_script),
        profile(&paths.go_root).as_bytes(),
    )
}

/// The env profile of DESIGN.md: `GOROOT` is the symlink, and `PATH` gains its `bin` once.
pub(crate) fn profile(go_root: &str) -> String {
    let q = crate::core::remote::quote::sh_quote;
    format!(
        "# Written by offgo: the active Go release.\nGOROOT={root}\nexport GOROOT\ncase \":$PATH:\" in\n  *:{bin}:*) ;;\n  *) PATH=\"$PATH\":{bin}; export PATH ;;\nesac\n",
        root = q(go_root),
        bin = q(&format!("{go_root}/bin")),
    )
}

fn tree<'a>(trees: &'a Trees, version: &str) -> Result<&'a Path, FleetError> {
    let bare = bare_version(version)?;
    trees
        .get(&bare)
        .map(PathBuf::as_path)
        .ok_or_else(|| FleetError::Spec(format!("Go {bare} was not prepared")))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), FleetError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).ctx(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_puts_go_on_path_once() {
        // Sourced twice, as a login shell after a re-login might: PATH must not grow twice.
        let once = profile("/usr/local/go");
        let script =
            format!("PATH=/usr/bin:/bin\n{once}{once}printf '%s|%s' \"$GOROOT\" \"$PATH\"");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "/usr/local/go|/usr/bin:/bin:/usr/local/go/bin"
        );
    }
}
