//! Chooses between mount namespaces and per-host directories, and writes the `sh` script that
//! sets up a host's namespace before `exec`ing its `sshd`.

use std::path::Path;
use std::process::{Command, Stdio};

use super::error::{FleetError, IoContext};
use super::layout::{split_root, HostLayout, HOST_ROOTS};
use super::spec::{Isolation, Tmpfs};
use crate::core::remote::quote::sh_quote;

pub(crate) const SSHD: &str = "/usr/sbin/sshd";

/// Resolves `Auto` by trying what namespaces need, rather than guessing from the uid alone
/// (a container may run us as root without `CAP_SYS_ADMIN`).
pub(crate) fn resolve(wanted: Isolation) -> Result<Isolation, FleetError> {
    let available = is_root() && unshare_works();
    match wanted {
        Isolation::Auto if available => Ok(Isolation::Namespaces),
        Isolation::Auto => Ok(Isolation::Directories),
        Isolation::Namespaces if !available => Err(FleetError::Unsupported(
            "mount namespaces need root and a working `unshare --mount`; use Isolation::Directories".into(),
        )),
        other => Ok(other),
    }
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn unshare_works() -> bool {
    succeeds(&["--mount", "--propagation", "private", "true"])
}

/// The `unshare` flags that also give a host a process table of its own, as a real host has
/// (a probe walking `/proc` then sees that host's processes, not the whole fleet's), when this
/// system allows PID namespaces. `--kill-child`: when the `unshare` we started dies, its `sshd`
/// (the namespace's init) does too, and with it every session of the host.
fn pid_namespace_flags() -> &'static [&'static str] {
    static FLAGS: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
    const PID: &[&str] = &["--pid", "--fork", "--kill-child", "--mount-proc"];
    FLAGS.get_or_init(|| {
        let mut probe = vec!["--mount", "--propagation", "private"];
        probe.extend_from_slice(PID);
        probe.push("true");
        if succeeds(&probe) {
            PID
        } else {
            &[]
        }
    })
}

fn succeeds(args: &[&str]) -> bool {
    Command::new("unshare")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Creates what a root `sshd` in a namespace expects on the real system: `/run/sshd` (its
/// privilege-separation directory) and the mount points, harmless empty dirs where missing.
pub(crate) fn prepare_system(isolation: Isolation) -> Result<(), FleetError> {
    if !is_root() {
        return Ok(());
    }
    std::fs::create_dir_all("/run/sshd").ctx(|| "creating /run/sshd".into())?;
    if isolation == Isolation::Namespaces {
        for root in HOST_ROOTS {
            std::fs::create_dir_all(root).ctx(|| format!("creating mount point {root}"))?;
        }
    }
    Ok(())
}

/// The command that runs one host's `sshd` in the foreground. With namespaces: `unshare` runs a
/// script that bind-mounts the per-host roots, mounts the optional tmpfs seeded with what the
/// host had there, then `exec`s `sshd`. `--propagation private` keeps every mount out of the
/// real namespace. Where PID namespaces work, the `sshd` is the init of the host's own PID
/// namespace, a child of the `unshare` (see [`pid_namespace_flags`]); elsewhere the `unshare`
/// process becomes the `sshd` itself.
pub(crate) fn sshd_command(
    layout: &HostLayout,
    tmpfs: Option<&Tmpfs>,
    netns: Option<&Path>,
) -> Command {
    // In a network namespace of its own, `nsenter --net` runs the rest inside it.
    let mut cmd = match netns {
        None => Command::new(if layout.isolation == Isolation::Namespaces {
            "unshare"
        } else {
            SSHD
        }),
        Some(ns) => {
            let mut cmd = Command::new("nsenter");
            cmd.arg(format!("--net={}", ns.display()));
            cmd.arg(if layout.isolation == Isolation::Namespaces {
                "unshare"
            } else {
                SSHD
            });
            cmd
        }
    };
    if layout.isolation != Isolation::Namespaces {
        cmd.arg("-D").arg("-e").arg("-f").arg(layout.sshd_config());
        return cmd;
    }
    let mut script = String::from("set -e\n");
    for root in HOST_ROOTS {
        script += &format!(
            "mount --bind {} {}\n",
            quote_path(&layout.root_dir(root)),
            sh_quote(root)
        );
    }
    if let Some(t) = tmpfs {
        let seed = layout.local(&t.path);
        script += &format!(
            "mount -t tmpfs -o size={}m offgo-fleet-tmpfs {path}\ncp -a {}/. {path}/\n",
            t.size_mib,
            quote_path(&seed),
            path = sh_quote(&t.path)
        );
    }
    // A faked arch (HostSpec::arch): the kernel's word for it, in this namespace only.
    if layout.arch_file().is_file() {
        script += &format!(
            "mount --bind {} /proc/sys/kernel/arch\n",
            quote_path(&layout.arch_file())
        );
    }
    let sshd = [SSHD, "-D", "-e", "-f"].map(sh_quote).join(" ");
    script += &format!("exec {sshd} {}\n", quote_path(&layout.sshd_config()));
    cmd.args(["--mount", "--propagation", "private"])
        .args(pid_namespace_flags())
        .args(["sh", "-c", &script]);
    cmd
}

fn quote_path(path: &Path) -> String {
    sh_quote(&path.to_string_lossy())
}

/// A faked arch is a bind mount inside the host's own mount namespace.
pub(crate) fn check_arch(host: &str, isolation: Isolation) -> Result<(), FleetError> {
    if isolation != Isolation::Namespaces {
        return Err(FleetError::Unsupported(format!(
            "host {host}: a faked arch needs mount namespaces (root and `unshare --mount`)"
        )));
    }
    Ok(())
}

/// A tmpfs must cover a path under one of the per-host roots, so it can be seeded from it.
pub(crate) fn check_tmpfs(
    host: &str,
    tmpfs: &Tmpfs,
    isolation: Isolation,
) -> Result<(), FleetError> {
    if isolation != Isolation::Namespaces {
        return Err(FleetError::Unsupported(format!(
            "host {host}: a tmpfs over {} needs mount namespaces (root and `unshare --mount`)",
            tmpfs.path
        )));
    }
    if split_root(&tmpfs.path).is_none() || tmpfs.size_mib == 0 {
        return Err(FleetError::Spec(format!(
            "host {host}: tmpfs over {:?} ({} MiB): the path must lie under one of {:?} and the size be > 0",
            tmpfs.path,
            tmpfs.size_mib,
            HOST_ROOTS
        )));
    }
    Ok(())
}
