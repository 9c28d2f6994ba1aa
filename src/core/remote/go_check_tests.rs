//! go_root.sh's `go_version`, run by the real `sh`: where a Go cannot run on this machine, the
//! version comes from the tree's VERSION only for an ELF of the arch the host reports, and the
//! output says so; every other failure stays the output.

use std::process::Command;

use super::GO_ROOT;
use crate::core::remote::frame::PRELUDE;

/// A go tree whose `bin/go` is the 64-byte ELF header of `machine` (no code: the kernel
/// refuses it with ENOEXEC unless it could run that machine's binaries, which x86-64 can't
/// for AArch64), and whose VERSION says go1.22.10.
fn tree(machine: u16) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    std::fs::create_dir_all(go.join("bin")).unwrap();
    let mut elf = vec![0u8; 64];
    elf[..4].copy_from_slice(b"\x7fELF");
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little-endian
    elf[6] = 1;
    elf[16] = 2; // ET_EXEC
    elf[18..20].copy_from_slice(&machine.to_le_bytes());
    let bin = go.join("bin/go");
    std::fs::write(&bin, elf).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(go.join("VERSION"), "go1.22.10\ntime x\n").unwrap();
    dir
}

/// `go_version` of the tree on a host reporting `arch`: (offgo_out, offgo_not_run).
fn go_version(dir: &tempfile::TempDir, arch: &str) -> (String, String) {
    let script = format!(
        "{PRELUDE}\n{GO_ROOT}\nreported_arch() {{ echo {arch}; }}\n\
         go_version \"$1\"\nprintf '%s\\n%s\\n' \"$offgo_out\" \"$offgo_not_run\"\n"
    );
    let out = Command::new("sh")
        .args(["-c", &script, "sh"])
        .arg(dir.path().join("go"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = text.lines().map(str::to_string);
    (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    )
}

#[test]
fn an_aarch64_go_on_a_host_reporting_aarch64_is_read_from_its_version_and_said_so() {
    if std::env::consts::ARCH == "aarch64" {
        return; // it would run here: nothing to adapt
    }
    let dir = tree(183);
    let (out, not_run) = go_version(&dir, "aarch64");
    assert!(
        out.starts_with("go version go1.22.10 (read from ") && out.contains("go version not run"),
        "{out}"
    );
    assert!(
        not_run.starts_with("go version not run: ")
            && not_run.contains("an ELF binary for aarch64, the arch this host reports")
            && not_run.contains("Exec format error")
            && not_run.contains("checked by the bundle's sha256sums"),
        "{not_run}"
    );
}

#[test]
fn a_go_for_another_arch_than_the_host_reports_fails_as_it_did() {
    if std::env::consts::ARCH == "aarch64" {
        return;
    }
    let (out, not_run) = go_version(&tree(183), "x86_64");
    assert!(out.contains("Exec format error"), "{out}");
    assert_eq!(not_run, "");
    // A file that is no ELF at all: its own error, no fallback.
    let dir = tree(183);
    std::fs::write(dir.path().join("go/bin/go"), [0u8; 64]).unwrap();
    let (out, not_run) = go_version(&dir, "aarch64");
    assert!(!out.starts_with("go version"), "{out}");
    assert_eq!(not_run, "");
}
