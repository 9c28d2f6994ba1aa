//! App push: pre-flight (arch, tools, space, lock, the app's `restart` and `health` in the
//! inventory), resumable upload of the file list, manifest and tarball, app-install (sha256,
//! extract, `sha256sum -c`, atomic switch of `current`, state), then `restart` and `health`
//! retried until `health_timeout`. A failed restart or health check switches back to the
//! previous release and restarts it; the push then fails at that step, with the check's output.
//! One audit line on both ends, target `NAME-VERSION`.

use std::io::Read;
use std::time::Instant;

use super::app_preflight::AppPreflight;
use super::app_release::AppRelease;
use super::app_service::{self, Health};
use super::app_state::AppState;
use super::audited::{audited, failure_and_notes, AuditLine};
use super::event::EngineEvent;
use super::host_state::prune_list;
use super::outcome::{HostOutcome, StepError};
use super::step::{audit_gate, open_from, record_acceptance, HostLock, OpRun};
use super::upload::{expect_success, prefix_sha256, receiver};
use super::OpContext;
use crate::core::remote::app_ops::{self, AppInstallInputs};
use crate::core::remote::ops::{key_values, value, values};
use crate::core::remote::quote::sh_quote;
use crate::core::ssh::HostLink;

pub fn push_app_host(
    link: &mut HostLink,
    app: &AppRelease,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    outcome.to = Some(app.version.clone());
    audited(
        link,
        run,
        ctx,
        outcome,
        |link, outcome, locked| steps(link, app, run, ctx, outcome, locked),
        |outcome| AuditLine {
            action: "push",
            target: app.id.clone(),
            detail: audit_detail(outcome, app),
        },
    )
}

/// `app svc 1.0.0 -> 2.0.0 bundle sha256 … tree digest …; failed at health: …; notes`.
fn audit_detail(outcome: &HostOutcome, app: &AppRelease) -> String {
    let from = outcome.from.as_deref().unwrap_or("none");
    let mut detail = format!(
        "app {} {from} -> {} bundle sha256 {} tree digest {}",
        app.name, app.version, app.sha256, app.tree_digest
    );
    detail.push_str(&failure_and_notes(outcome));
    detail
}

pub(super) fn preflight(
    run: &OpRun<'_>,
    link: &mut HostLink,
    name: &str,
    version: &str,
    tarball_name: &str,
    under_lock: bool,
) -> Result<AppPreflight, StepError> {
    let call = app_ops::preflight_call(&link.host().paths, name, version, tarball_name, under_lock);
    let out = run.call(link, "preflight", &call, !under_lock)?;
    AppPreflight::parse(&out.stdout, name).ok_or_else(|| {
        StepError::refused(
            "preflight",
            "the app pre-flight's output is incomplete",
            "see the host's output: hosts need sh, coreutils, tar, gzip",
        )
        .with_output(out.combined())
    })
}

fn steps(
    link: &mut HostLink,
    app: &AppRelease,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
) -> Result<(), StepError> {
    run.step("preflight");
    let (restart, health, wait) = {
        let c = app_service::commands(link, &app.name)?;
        (
            c.restart.to_string(),
            c.health.to_string(),
            app_service::wait_secs(c.settings),
        )
    };
    app.check_files()?;
    let first = preflight(run, link, &app.name, &app.version, &app.tarball_name, false)?;
    outcome.from = first.current_version();
    first.check(app)?;
    if let Some(note) = already_there(link, app, run, &first, &health)? {
        outcome.notes.push(note);
        return Ok(());
    }

    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        outcome
            .notes
            .extend(record_acceptance(link, ctx, acceptance, &app.id));
    }
    let pre = preflight(run, link, &app.name, &app.version, &app.tarball_name, true)?;
    outcome.from = pre.current_version();
    pre.check(app)?;
    let resume_from = resume_offset(&pre, app);
    pre.check_space(app, resume_from)?;

    run.step("upload");
    if resume_from > 0 && pre.tarball_size != Some(app.size) {
        outcome.notes.push(format!(
            "resumed the upload at {} of {} KiB",
            resume_from >> 10,
            app.size >> 10
        ));
    }
    upload(link, app, run, &pre, resume_from)?;

    run.step("install");
    outcome.changed = true;
    install(link, app, run, &pre, outcome)?;
    let commands = ServiceCommands {
        restart: &restart,
        health: &health,
        wait,
    };
    start_or_switch_back(link, run, &app.name, &app.version, &pre, &commands, outcome)
}

/// When the host already runs this very bundle (state, `current` and bundle sha256 agree), its
/// files check and its health check passes: nothing to do, and the push says so without a
/// restart. Anything less (a changed file, a service down) and the push goes ahead.
fn already_there(
    link: &mut HostLink,
    app: &AppRelease,
    run: &OpRun<'_>,
    pre: &AppPreflight,
    health: &str,
) -> Result<Option<String>, StepError> {
    let on_it = pre
        .state
        .as_ref()
        .is_some_and(|s| s.current == app.version && s.bundle_sha256 == app.sha256)
        && pre.current_target.as_deref()
            == Some(app_ops::release_dir(&link.host().paths, &app.name, &app.version).as_str());
    if !on_it || pre.part_size.is_some() || pre.tarball_size.is_some() {
        return Ok(None);
    }
    let call = app_ops::verify_call(&link.host().paths, &app.name);
    let out = run.call(link, "preflight", &call, true)?;
    let tree = super::verify::parse_checks(&out.stdout);
    if !tree.iter().any(|c| c.check == "tree" && c.ok) {
        return Ok(None);
    }
    let checked = app_service::health(link, run, &app.name, &app.version, health, 0)?;
    Ok(checked.ok.then(|| {
        format!(
            "already on {}: nothing to do (its files match the bundle and it is healthy)",
            app.id
        )
    }))
}

/// The operator's commands for one app, copied out of the inventory.
pub(super) struct ServiceCommands<'a> {
    pub restart: &'a str,
    pub health: &'a str,
    pub wait: u64,
}

/// After a switch to `version`: restart, then health until it passes or the time is up. On a
/// failure: back to what `pre` saw current (its state as it was), restarted, and the step's
/// error with what the host said.
pub(super) fn start_or_switch_back(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    pre: &AppPreflight,
    commands: &ServiceCommands<'_>,
    outcome: &mut HostOutcome,
) -> Result<(), StepError> {
    let failure = match start(link, run, name, version, commands) {
        Ok(health) => {
            outcome.notes.push(format!(
                "health: ok after {} tr{}",
                health.attempts,
                if health.attempts == 1 { "y" } else { "ies" }
            ));
            outcome.health = Some(health);
            return Ok(());
        }
        Err(failure) => failure,
    };
    let (mut error, health) = *failure;
    outcome.health = health;
    let hint = switch_back(link, run, name, version, pre, commands, outcome);
    error.error.hint = hint;
    Err(error)
}

type StartFailure = Box<(StepError, Option<Health>)>;

fn start(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    commands: &ServiceCommands<'_>,
) -> Result<Health, StartFailure> {
    run.step("restart");
    app_service::restart(link, run, name, version, commands.restart)
        .map_err(|e| Box::new((e, None)))?;
    run.step("health");
    let health = app_service::health(link, run, name, version, commands.health, commands.wait)
        .map_err(|e| Box::new((e, None)))?;
    if health.ok {
        return Ok(health);
    }
    let error = StepError::refused(
        "health",
        format!(
            "{name} {version} is not healthy within {}s: {}",
            commands.wait,
            health.summary()
        ),
        "",
    )
    .with_output(health.output.clone());
    Err(Box::new((error, Some(health))))
}

/// Switches back to the release `pre` saw current and restarts it; returns the hint for the
/// failed push, saying where the host is now.
fn switch_back(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    pre: &AppPreflight,
    commands: &ServiceCommands<'_>,
    outcome: &mut HostOutcome,
) -> String {
    let Some(old) = pre.state.as_ref().filter(|s| s.current != version) else {
        let note =
            format!("no earlier release of {name} to switch back to: current stays on {version}");
        outcome.notes.push(note.clone());
        return format!("{note}; fix the service or push a release that passes its health check");
    };
    run.step("switch_back");
    let call = app_ops::switch_call(&link.host().paths, name, &old.current, &old.to_json());
    let switched = match run.call(link, "switch_back", &call, false) {
        Ok(out) => {
            let pairs = key_values(&out.stdout);
            match value(&pairs, "done") {
                Some("1") if out.success() => Ok(()),
                _ => Err(value(&pairs, "why")
                    .unwrap_or("the switch ended early")
                    .to_string()),
            }
        }
        Err(e) => Err(e.error.message),
    };
    if let Err(why) = switched {
        let why = crate::core::text::safe(&why);
        outcome
            .notes
            .push(format!("could not switch back to {}: {why}", old.current));
        return format!(
            "the switch back to {} FAILED ({why}): current stays on {version}; check the host now, then roll back or push again",
            old.current
        );
    }
    outcome
        .notes
        .push(format!("switched back to {}", old.current));
    match start(link, run, name, &old.current, commands) {
        Ok(_) => {
            outcome
                .notes
                .push(format!("{} restarted and healthy", old.current));
            format!(
                "{name} is back on {} and healthy; fix {version} before pushing it again",
                old.current
            )
        }
        Err(failure) => {
            let said = failure.0.error.message;
            outcome
                .notes
                .push(format!("{} restarted but: {said}", old.current));
            format!(
                "{name} is back on {} but it is not healthy either ({said}): check the service now",
                old.current
            )
        }
    }
}

/// Where to resume an interrupted upload (as for Go bundles).
fn resume_offset(pre: &AppPreflight, app: &AppRelease) -> u64 {
    let (Some(size), Some(remote)) = (pre.part_size, pre.part_sha256.as_deref()) else {
        return 0;
    };
    if size == 0 || size > app.size {
        return 0;
    }
    match prefix_sha256(&app.tarball, size) {
        Ok(local) if local == remote => size,
        _ => 0,
    }
}

fn upload(
    link: &mut HostLink,
    app: &AppRelease,
    run: &OpRun<'_>,
    pre: &AppPreflight,
    resume_from: u64,
) -> Result<(), StepError> {
    let paths = link.host().paths.clone();
    for (file, local, remote) in [
        (
            "sums",
            &app.sums,
            app_ops::incoming_sums(&paths, &app.name, &app.version),
        ),
        (
            "manifest",
            &app.manifest,
            app_ops::incoming_manifest(&paths, &app.name, &app.version),
        ),
    ] {
        let source = open_from(local, 0).map_err(|e| {
            StepError::refused(
                "upload",
                format!("cannot read {}: {e}", local.display()),
                "check the bundle",
            )
        })?;
        let call = app_ops::receive_call(
            &paths,
            file,
            &app.name,
            &app.version,
            &app.tarball_name,
            false,
        );
        let plain = format!(
            "mkdir -p {d} && cat > {r}",
            d = sh_quote(&format!("{}/incoming", paths.apps_state_dir())),
            r = sh_quote(&remote)
        );
        let (command, header) = receiver(link, call, plain)?;
        let mut source = std::io::Cursor::new(header).chain(source);
        let started = Instant::now();
        let result = link.upload("upload", &command, &mut source, |_| {});
        run.command(&format!("upload {file}"), started, &result);
        expect_success(link, "upload", &command, result)?;
    }
    if pre.tarball_size == Some(app.size) {
        return Ok(());
    }
    let part = app_ops::incoming_part(&paths, &app.tarball_name);
    let tarball = app_ops::incoming_tarball(&paths, &app.tarball_name);
    let redirect = if resume_from > 0 { ">>" } else { ">" };
    let call = app_ops::receive_call(
        &paths,
        "tarball",
        &app.name,
        &app.version,
        &app.tarball_name,
        resume_from > 0,
    );
    let plain = format!(
        "cat {redirect} {p} && mv -f {p} {t}",
        p = sh_quote(&part),
        t = sh_quote(&tarball)
    );
    let (command, header) = receiver(link, call, plain)?;
    let header_len = header.len() as u64;
    let source = open_from(&app.tarball, resume_from).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", app.tarball.display()),
            "check the bundle",
        )
    })?;
    let mut source = std::io::Cursor::new(header).chain(source);
    let started = Instant::now();
    let total = app.size;
    let result = link.upload("upload", &command, &mut source, |sent| {
        let done = resume_from + sent.saturating_sub(header_len);
        if done == total {
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let _ = run.events.send(EngineEvent::Progress {
                host: run.host,
                bytes: done,
                total,
                bytes_per_sec: ((done - resume_from) as f64 / secs) as u64,
            });
        }
    });
    run.command("upload tarball", started, &result);
    expect_success(link, "upload", &command, result)
}

fn install(
    link: &mut HostLink,
    app: &AppRelease,
    run: &OpRun<'_>,
    pre: &AppPreflight,
    outcome: &mut HostOutcome,
) -> Result<(), StepError> {
    let state = AppState::next(
        pre.state.as_ref(),
        &app.name,
        &app.version,
        &app.sha256,
        "push",
    );
    let present: Vec<String> = pre.releases.iter().map(|(v, _)| v.clone()).collect();
    let prune = prune_list(
        &present,
        &app.version,
        state.previous.as_deref(),
        link.host().keep_releases,
    );
    let inputs = AppInstallInputs {
        name: &app.name,
        version: &app.version,
        tarball_name: &app.tarball_name,
        sha256: &app.sha256,
        tree_digest: &app.tree_digest,
        manifest_sha256: &app.manifest_sha256,
        state_json: &state.to_json(),
        prune: &prune,
    };
    let call = app_ops::install_call(&link.host().paths, &inputs);
    let out = run.call(link, "install", &call, false)?;
    let pairs = key_values(&out.stdout);
    for pruned in values(&pairs, "pruned") {
        outcome
            .notes
            .push(format!("pruned {}", crate::core::text::safe(pruned)));
    }
    if let Some(note) = value(&pairs, "host_tools").and_then(super::push::host_tools_note) {
        outcome.notes.push(note);
    }
    super::script_end::script_end(&out, &pairs, "install", |step| {
        install_hint(step).to_string()
    })
}

fn install_hint(step: &str) -> &'static str {
    match step {
        "check_tarball" => "the upload was corrupted and is removed: push again (it restarts the upload)",
        "check_sums" => "the uploaded file list or manifest is not the bundle's: push again; if it repeats, check the bundle",
        "extract" => "free space on the host (the apps directory), then push again; the running release is untouched",
        "check_tree" => "the extracted files differ from the bundle: check the bundle",
        _ => "see the host's output; the running release is untouched unless the output says otherwise",
    }
}
