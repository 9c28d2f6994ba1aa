//! The upload of a push: the signed file list, then the tarball streamed into a `.part` file
//! that an interrupted push resumes once its bytes are proven to be the tarball's start.

use std::time::Instant;

use std::io::Read;

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

pub(super) fn prefix_sha256(path: &std::path::Path, len: u64) -> std::io::Result<String> {
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
    unpack: Unpack,
) -> Result<Streamed, StepError> {
    // Streamed like the tarball: read into memory it would cost ~1 MiB per host at once.
    let mut sums = open_from(&bundle.sums, 0).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.sums.display()),
            "rebuild the bundle",
        )
    })?;
    let sums_path = ops::incoming_sums(paths, &bundle.version);
    let (command, header) = receiver(
        link,
        ops::receive_call(paths, "sums", &bundle.version, &bundle.tarball_name, false),
        format!("cat > {}", sh_quote(&sums_path)),
    )?;
    let mut sums = std::io::Cursor::new(header).chain(&mut sums);
    let started = Instant::now();
    let result = link.upload("upload", &command, &mut sums, |_| {});
    run.command("upload sha256sums", started, &result);
    expect_success(link, "upload", &command, result)?;
    if pre.tarball_size == Some(bundle.size) {
        // A complete upload from an earlier attempt; install.sh checks its sha256 anyway.
        return Ok(Streamed::No);
    }
    let part = ops::incoming_part(paths, &bundle.tarball_name);
    let tarball = ops::incoming_tarball(paths, &bundle.tarball_name);
    let redirect = if resume_from > 0 { ">>" } else { ">" };
    let call = ops::receive_call(
        paths,
        unpack.file(),
        &bundle.version,
        &bundle.tarball_name,
        resume_from > 0,
    );
    let plain = match unpack {
        Unpack::AsItArrives => format!("sh -c {}", sh_quote(&call.script())),
        Unpack::No => format!(
            "cat {redirect} {p} && mv -f {p} {t}",
            p = sh_quote(&part),
            t = sh_quote(&tarball)
        ),
    };
    let (command, header) = receiver(link, call, plain)?;
    let header_len = header.len() as u64;
    let source = open_from(&bundle.tarball, resume_from).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.tarball.display()),
            "check the bundle",
        )
    })?;
    let mut source = std::io::Cursor::new(header).chain(source);
    let started = Instant::now();
    let mut last_report = Instant::now();
    let total = bundle.size;
    let result = link.upload("upload", &command, &mut source, |sent| {
        let sent = sent.saturating_sub(header_len);
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
    expect_success(link, "upload", &command, result)?;
    // Only bytes this push sent, whole, into an unpacking receiver may be installed from what
    // receive.sh unpacked: a tree left by an earlier run (or planted) is never taken for them.
    Ok(if unpack == Unpack::AsItArrives && resume_from == 0 {
        Streamed::ThisPush
    } else {
        Streamed::No
    })
}

/// Whether the tarball went whole, in this push, into a receiver that unpacked it as it
/// arrived: install may then use that tree once its hash is proven, and only then.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Streamed {
    ThisPush,
    No,
}

/// Whether the host unpacks the tarball while it arrives (a Go release: receive.sh's one pass,
/// proven by install.sh before use) or only stores it (a module cache).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Unpack {
    AsItArrives,
    No,
}

impl Unpack {
    /// receive's `file` input for the tarball.
    fn file(self) -> &'static str {
        match self {
            Self::AsItArrives => "go-tarball",
            Self::No => "tarball",
        }
    }
}

/// The command an upload streams into, and what goes ahead of the file's bytes: a plain `cat`
/// without become, else the helper's `receive` with its inputs.
pub(super) fn receiver(
    link: &HostLink,
    call: crate::core::remote::call::RemoteCall,
    plain: String,
) -> Result<(String, Vec<u8>), StepError> {
    match link.host().privilege.helper_command(call.verb.name()) {
        None => Ok((plain, Vec::new())),
        Some(command) => {
            let inputs = call
                .helper_inputs()
                .map_err(|e| StepError::refused("upload", e, "see the host's output"))?;
            Ok((command, inputs))
        }
    }
}

pub(super) fn expect_success(
    link: &HostLink,
    step: &str,
    command: &str,
    result: Result<crate::core::ssh::ExecOutput, crate::core::ssh::HostError>,
) -> Result<(), StepError> {
    let out = result.map_err(|e| StepError::new(step, e))?;
    if out.success() {
        return Ok(());
    }
    if let Some(e) = super::step::become_refused(link.host(), step, command, &out) {
        return Err(e);
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
