//! The one way headless output leaves the process.
//!
//! The Rust runtime ignores SIGPIPE, so writing to a pipe whose reader left (`| head -1`, a
//! `| tee` killed by ctrl-c) returns EPIPE, and `println!` turns that into a panic (exit 101).
//! Here a failed write means "nobody reads this any more": later output to that stream is
//! dropped, the work goes on (a rollout must not stop half-way because its reader did), and the
//! exit code still tells the result.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout, unless its reader already left.
pub fn stdout(text: &str) {
    write_to(&mut std::io::stdout().lock(), &STDOUT_GONE, text);
}

/// Writes `text` to stderr, unless its reader already left.
/// What a build command (`app build`, `modcache build`) prints and its exit code: on success its
/// stdout and stderr texts; on failure the error, as `{"ok": false, "error"}` with `--json`,
/// exit 2 when `usage` (what the operator typed) else 1 (what a check found).
pub fn finish(
    json: bool,
    result: Result<(String, String), (bool, String)>,
) -> std::process::ExitCode {
    let (code, out, err) = match result {
        Ok((out, err)) => (0, out, err),
        Err((usage, error)) => {
            let code = if usage { 2 } else { 1 };
            let message = crate::core::text::safe(&error);
            if json {
                let value = serde_json::json!({"ok": false, "error": message});
                (code, format!("{value}\n"), String::new())
            } else {
                (code, String::new(), format!("error: {message}\n"))
            }
        }
    };
    stdout(&out);
    stderr(&err);
    std::process::ExitCode::from(code)
}

/// The lines of a bundle offgo built, after its own: the tarball with its size, the manifest,
/// the sums and the signature.
pub fn bundle_files(
    text: &mut String,
    [tarball, manifest, sums]: [&std::path::Path; 3],
    size: u64,
    signature: Option<&crate::core::bundle::ManifestSignature>,
) {
    use std::fmt::Write as _;
    let _ = writeln!(text, "  tarball     {} ({size} bytes)", tarball.display());
    let _ = writeln!(text, "  manifest    {}", manifest.display());
    let _ = writeln!(text, "  sha256sums  {}", sums.display());
    let _ = match signature {
        Some(s) => writeln!(text, "  signature   ed25519, key {}", s.public_key),
        None => writeln!(text, "  signature   unsigned"),
    };
}

pub fn stderr(text: &str) {
    write_to(&mut std::io::stderr().lock(), &STDERR_GONE, text);
}

fn write_to(stream: &mut impl Write, gone: &AtomicBool, text: &str) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush())
    {
        // EPIPE is the usual case; any other error (a full disk behind `>`) leaves us just as
        // unable to deliver the output, and just as bound to finish the work.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            tracing::warn!(error = %e, "cannot write the output; dropping the rest of it");
        }
        gone.store(true, Ordering::Relaxed);
    }
}

/// `println!` that survives a closed stdout.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that survives a closed stderr.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, outln};
