//! The application binaries in a host's `/opt/app/bin`, which the probe runs through `ldd`:
//! a healthy dynamic binary, a shell script (not ELF), and one whose shared library is gone.
//!
//! The binaries are built once with `cc` and cached; `invoicer` is linked against a tiny
//! `libledger.so.1` that is then deleted, so `ldd` prints `libledger.so.1 => not found`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cmd;
use super::error::{FleetError, IoContext};
use super::layout::set_mode;
use super::spec::AppBinaries;

/// The binary with the missing library, and that library's name as `ldd` prints it.
pub const LDD_GAP_BINARY: &str = "invoicer";
pub const MISSING_LIBRARY: &str = "libledger.so.1";
/// A healthy dynamic binary and a non-ELF script.
pub const HEALTHY_BINARY: &str = "webd";
pub const SCRIPT: &str = "rotate-logs.sh";

const WEBD_C: &str = "#include <stdio.h>\nint main(void) { puts(\"webd ok\"); return 0; }\n";
const LEDGER_C: &str = "int ledger_total(void) { return 42; }\n";
const INVOICER_C: &str =
    "int ledger_total(void);\nint main(void) { return ledger_total() == 42 ? 0 : 1; }\n";
const SCRIPT_SH: &str = "#!/bin/sh\n# Rotates the app's logs; a script, so ldd says it is not a dynamic executable.\nexit 0\n";

/// Bump when the sources above change, so an old cache is not reused.
const CACHE_VERSION: &str = "app-bin-v1";

/// Fills `bin_dir` as `app` says, from binaries built once (`cache` from [`build_cached`]).
pub(crate) fn install(
    app: AppBinaries,
    cache: Option<&Path>,
    bin_dir: &Path,
) -> Result<(), FleetError> {
    std::fs::create_dir_all(bin_dir).ctx(|| format!("creating {}", bin_dir.display()))?;
    let names: &[&str] = match app {
        AppBinaries::None => return Ok(()),
        AppBinaries::Healthy => &[HEALTHY_BINARY],
        AppBinaries::LddGap => &[HEALTHY_BINARY, LDD_GAP_BINARY],
    };
    let cache =
        cache.ok_or_else(|| FleetError::Spec("app binaries requested but not built".into()))?;
    // Copies, not hard links: they are tiny, and a test may then change them in place.
    for name in names {
        let dest = bin_dir.join(name);
        std::fs::copy(cache.join(name), &dest)
            .ctx(|| format!("copying {name} to {}", dest.display()))?;
    }
    let script = bin_dir.join(SCRIPT);
    std::fs::write(&script, SCRIPT_SH).ctx(|| format!("writing {}", script.display()))?;
    set_mode(&script, 0o755)
}

/// The directory holding the built binaries, building them on first use.
pub(crate) fn build_cached() -> Result<PathBuf, FleetError> {
    let parent = crate::core::xdg::cache_dir().join("fleet");
    let done = parent.join(CACHE_VERSION);
    if done.join(LDD_GAP_BINARY).is_file() && done.join(HEALTHY_BINARY).is_file() {
        return Ok(done);
    }
    std::fs::create_dir_all(&parent).ctx(|| format!("creating {}", parent.display()))?;
    let work = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(&parent)
        .ctx(|| format!("creating a scratch dir in {}", parent.display()))?;
    build(work.path())?;
    // Atomic: a concurrent builder's result is as good as ours.
    let _ = std::fs::rename(work.path(), &done);
    Ok(done)
}

fn build(dir: &Path) -> Result<(), FleetError> {
    for (name, text) in [
        ("webd.c", WEBD_C),
        ("ledger.c", LEDGER_C),
        ("invoicer.c", INVOICER_C),
    ] {
        std::fs::write(dir.join(name), text)
            .ctx(|| format!("writing {name} in {}", dir.display()))?;
    }
    let cc = |args: &[&str]| cmd::run(Command::new("cc").current_dir(dir).args(args)).map(|_| ());
    cc(&["-O1", "-o", HEALTHY_BINARY, "webd.c"])?;
    cc(&[
        "-shared",
        "-fPIC",
        "-Wl,-soname,libledger.so.1",
        "-o",
        MISSING_LIBRARY,
        "ledger.c",
    ])?;
    cc(&[
        "-O1",
        "-o",
        LDD_GAP_BINARY,
        "invoicer.c",
        "./libledger.so.1",
    ])?;
    std::fs::remove_file(dir.join(MISSING_LIBRARY))
        .ctx(|| format!("removing {MISSING_LIBRARY}"))?;
    let ldd = cmd::run(Command::new("ldd").arg(dir.join(LDD_GAP_BINARY)))?;
    let expected = format!("{MISSING_LIBRARY} => not found");
    if !String::from_utf8_lossy(&ldd.stdout).contains(&expected) {
        return Err(FleetError::Spec(format!(
            "built {LDD_GAP_BINARY} but ldd does not report {expected}"
        )));
    }
    Ok(())
}
