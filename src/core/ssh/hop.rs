//! Jump-host sessions shared by every host behind them. One session per hop (per chain that
//! leads to it) carries up to [`MAX_TUNNELS`] tunnels; more open another session to the same
//! hop. Each hop session lives on a thread of its own ([`super::pump`]); hosts ask it for a
//! tunnel and get a local socket whose other end is a `direct-tcpip` channel of that session.
//!
//! A hop that cannot be reached fails every host waiting for it at once, with one error that
//! names it (`via bastion-1: …`, the contract's `error_kind` kept), and that failure is
//! remembered for [`FAILURE_MEMORY`], so the hosts of the next batch get it at once too instead
//! of each waiting out the hop's connect timeout again.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use ssh2::Session;

use super::error::{ErrorKind, HostError};
use super::stream::{self, Unreachable};
use crate::core::inventory::{Hop, Host};

/// Tunnels one hop session carries before another session to the same hop is opened. sshd
/// serves all channels of one connection from one process: a bound keeps one hop session from
/// becoming every host's bottleneck.
pub const MAX_TUNNELS: usize = 64;
/// How long a failed hop's error is given to hosts without trying the hop again.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(10);
/// How long a hop session with no tunnel is kept open for the next host.
pub const LINGER: Duration = Duration::from_secs(30);

/// A host's request for a tunnel to `address:port` from the hop.
pub(super) struct Request {
    pub address: String,
    pub port: u16,
    /// The host's connect_timeout: how long the hop may take to open the channel.
    pub timeout: Duration,
    pub reply: mpsc::Sender<Result<UnixStream, Unreachable>>,
}

struct Entry {
    id: u64,
    requests: mpsc::Sender<Request>,
    /// Wakes the hop's thread from `poll` when a request is queued.
    wake: UnixStream,
    /// Tunnels open or asked for.
    load: Arc<AtomicUsize>,
}

#[derive(Default)]
struct Registry {
    hops: HashMap<String, Vec<Entry>>,
    failed: HashMap<String, (Instant, HostError)>,
    next_id: u64,
}

fn registry() -> MutexGuard<'static, Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// What makes two hop sessions interchangeable: the same hop, reached the same way, as the same
/// user with the same key and the same host-key rules.
fn key_of(before: &[Hop], hop: &Hop) -> String {
    before
        .iter()
        .chain(std::iter::once(hop))
        .map(|h| {
            let host = &h.host;
            format!(
                "{}@{}:{} {:?} {} {:?}",
                host.user,
                host.address,
                host.port,
                host.identity_file,
                host.known_hosts.display(),
                host.host_key_policy
            )
        })
        .collect::<Vec<_>>()
        .join(" > ")
}

/// Opens a tunnel to `address:port` through `hop` (itself reached through `before`).
pub(super) fn tunnel(
    before: &[Hop],
    hop: &Hop,
    address: &str,
    port: u16,
    timeout: Duration,
) -> Result<UnixStream, Unreachable> {
    let key = key_of(before, hop);
    let (reply, answer) = mpsc::channel();
    let request = Request {
        address: address.to_owned(),
        port,
        timeout,
        reply,
    };
    {
        let mut reg = registry();
        if let Some((at, error)) = reg.failed.get(&key) {
            if at.elapsed() < FAILURE_MEMORY {
                return Err(Unreachable::Hop(error.clone()));
            }
            reg.failed.remove(&key);
        }
        let entry = pick_or_spawn(&mut reg, &key, before, hop)?;
        entry.load.fetch_add(1, Ordering::SeqCst);
        let _ = entry.requests.send(request);
        wake(&entry.wake);
    }
    // The hop's thread always answers; this bound only guards against a bug there.
    let hops = u32::try_from(before.len() + 1).unwrap_or(u32::MAX);
    let patience = hop.host.connect_timeout * 2 * hops + timeout + Duration::from_secs(5);
    answer.recv_timeout(patience).unwrap_or_else(|_| {
        Err(Unreachable::Hop(stream::via(
            &hop.name,
            HostError::new(
                ErrorKind::Timeout,
                "the jump host's session did not answer",
                "see the log file; retry",
            ),
        )))
    })
}

fn wake(socket: &UnixStream) {
    use std::io::Write;
    // A full wake socket already holds a wake-up: nothing is lost when this write fails.
    let _ = (&*socket).write(&[1]);
}

fn pick_or_spawn<'r>(
    reg: &'r mut Registry,
    key: &str,
    before: &[Hop],
    hop: &Hop,
) -> Result<&'r Entry, Unreachable> {
    let free = reg.hops.get(key).and_then(|entries| {
        entries
            .iter()
            .position(|e| e.load.load(Ordering::SeqCst) < MAX_TUNNELS)
    });
    if let Some(i) = free {
        return Ok(&reg.hops[key][i]);
    }
    reg.next_id += 1;
    let id = reg.next_id;
    let entry = spawn(key, id, before, hop).map_err(|e| {
        Unreachable::Hop(stream::via(
            &hop.name,
            HostError::new(
                ErrorKind::Refused,
                format!("cannot start the jump host's thread: {e}"),
                "the jump host is short of threads or file descriptors: lower --parallel",
            ),
        ))
    })?;
    let entries = reg.hops.entry(key.to_owned()).or_default();
    entries.push(entry);
    Ok(&entries[entries.len() - 1])
}

fn spawn(key: &str, id: u64, before: &[Hop], hop: &Hop) -> std::io::Result<Entry> {
    let (requests, inbox) = mpsc::channel();
    let (wake, woken) = UnixStream::pair()?;
    wake.set_nonblocking(true)?;
    woken.set_nonblocking(true)?;
    let load = Arc::new(AtomicUsize::new(0));
    let mut host = hop.host.clone();
    host.proxy_jump = before.to_vec();
    let job = HopThread {
        key: key.to_owned(),
        id,
        name: hop.name.clone(),
        host,
        inbox,
        woken,
        load: Arc::clone(&load),
    };
    std::thread::Builder::new()
        .name(format!("hop:{}", hop.name))
        .stack_size(512 * 1024)
        .spawn(move || job.run())?;
    Ok(Entry {
        id,
        requests,
        wake,
        load,
    })
}

/// Everything one hop session's thread owns.
pub(super) struct HopThread {
    key: String,
    id: u64,
    pub name: String,
    host: Host,
    pub inbox: mpsc::Receiver<Request>,
    pub woken: UnixStream,
    pub load: Arc<AtomicUsize>,
}

impl HopThread {
    fn run(self) {
        match self.connect() {
            Err(error) => self.end(Some(error), true),
            Ok((session, socket)) => {
                let error = super::pump::Pump::new(&self, session, socket).run();
                self.end(error, false);
            }
        }
    }

    /// The hop's own session: its errors name it, an earlier hop's errors already name that one.
    fn connect(&self) -> Result<(Session, RawFd), HostError> {
        let stream = stream::open(&self.host).map_err(|e| match e {
            Unreachable::Hop(e) => e,
            Unreachable::Host(e) => stream::via(&self.name, e),
        })?;
        let socket = stream.as_raw_fd();
        let session = super::connect::session_over(&self.host, stream)
            .map_err(|e| stream::via(&self.name, e))?;
        session.set_blocking(false);
        tracing::debug!(hop = %self.name, "jump host session open");
        Ok((session, socket))
    }

    /// Idle for [`LINGER`] with nothing asked: leaves the registry unless a request came in
    /// meanwhile (requests are only queued under the registry lock, so none is lost).
    pub fn retire_if_idle(&self) -> bool {
        let mut reg = registry();
        if self.load.load(Ordering::SeqCst) > 0 {
            return false;
        }
        remove(&mut reg, &self.key, self.id);
        true
    }

    /// Leaves the registry and answers every queued request with `error`.
    fn end(&self, error: Option<HostError>, remember: bool) {
        let mut reg = registry();
        remove(&mut reg, &self.key, self.id);
        let Some(error) = error else {
            return;
        };
        tracing::debug!(hop = %self.name, error = %error, "jump host session ended");
        if remember {
            reg.failed
                .insert(self.key.clone(), (Instant::now(), error.clone()));
        }
        while let Ok(request) = self.inbox.try_recv() {
            let _ = request.reply.send(Err(Unreachable::Hop(error.clone())));
        }
    }
}

fn remove(reg: &mut Registry, key: &str, id: u64) {
    if let Some(entries) = reg.hops.get_mut(key) {
        entries.retain(|e| e.id != id);
        if entries.is_empty() {
            reg.hops.remove(key);
        }
    }
}
