//! The upload of a push: the signed file list, then the tarball streamed into a `.part` file
//! that an interrupted push resumes once its bytes are proven to be the tarball's start.

use std::time::Instant;

use sha2::{Digest, Sha256};

use super::event::EngineEvent;
use super::go_release::GoRelease;
use super::outcome::StepError;
use super::preflight::Preflight;
use super::step::{open_from, OpRun};
use crate::core::remote::ops;
use crate::core::remote::quote::sh_quote;
use crate::core::ssh::HostLink;

/// Where to resume an interrupted upload: the partial file's length, once its bytes are
/// proven identical to the start of the local tarball; else from scratch.
pub(super) fn resume_offset(pre: &Preflight, bundle: &GoRelease) -> u64 {
    let (Some(size), Some(remote_hash)) = (pre.part_size, pre.part_sha256.as_deref()) else {
        return 0;
    };
    if size == 0 || size > bundle.size {
        return 0;
    }
    match prefix_sha256(&bundle.tarball, size) {
        Ok(local) if local == remote_hash => size,
        _ => 0,
    }
}

fn prefix_sha256(path: &std::path::Path, len: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut reader = open_from(path, 0)?.take(len);
    let mut hasher = Sha256::new();
    std::io::copy(&mut reader, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

pub(super) fn upload(
    link: &mut HostLink,
    bundle: &GoRelease,
    run: &OpRun<'_>,
    paths: &crate::core::remote::RemotePaths,
    pre: &Preflight,
    resume_from: u64,
) -> Result<(), StepError> {
    // Streamed like the tarball: read into memory it would cost ~1 MiB per host at once.
    let mut sums = open_from(&bundle.sums, 0).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.sums.display()),
            "rebuild the bundle",
        )
    })?;
    let sums_path = ops::incoming_sums(paths, &bundle.version);
    let started = Instant::now();
    let result = link.upload(
        "upload",
        &format!("cat > {}", sh_quote(&sums_path)),
        &mut sums,
        |_| {},
    );
    run.command("upload sha256sums", started, &result);
    expect_success("upload", result)?;
    if pre.tarball_size == Some(bundle.size) {
        // A complete upload from an earlier attempt; install.sh checks its sha256 anyway.
        return Ok(());
    }
    let part = ops::incoming_part(paths, &bundle.tarball_name);
    let tarball = ops::incoming_tarball(paths, &bundle.tarball_name);
    let redirect = if resume_from > 0 { ">>" } else { ">" };
    let command = format!(
        "cat {redirect} {p} && mv -f {p} {t}",
        p = sh_quote(&part),
        t = sh_quote(&tarball)
    );
    let mut source = open_from(&bundle.tarball, resume_from).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.tarball.display()),
            "check the bundle",
        )
    })?;
    let started = Instant::now();
    let mut last_report = Instant::now();
    let total = bundle.size;
    let result = link.upload("upload", &command, &mut source, |sent| {
        let done = resume_from + sent;
        if last_report.elapsed().as_millis() >= 100 || done == total {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let _ = run.events.send(EngineEvent::Progress {
                host: run.host,
                bytes: done,
                total,
                bytes_per_sec: (sent as f64 / secs) as u64,
            });
        }
    });
    run.command("upload tarball", started, &result);
    expect_success("upload", result)
}

fn expect_success(
    step: &str,
    result: Result<crate::core::ssh::ExecOutput, crate::core::ssh::HostError>,
) -> Result<(), StepError> {
    let out = result.map_err(|e| StepError::new(step, e))?;
    if out.success() {
        return Ok(());
    }
    Err(StepError::refused(
        step,
        format!(
            "{step} failed (exit {}): {}",
            out.exit_status,
            out.combined().trim()
        ),
        "is the disk full? free space on the host and retry: the upload resumes",
    )
    .with_output(out.combined()))
}
