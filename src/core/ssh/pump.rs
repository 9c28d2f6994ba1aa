//! One jump-host session's thread: opens `direct-tcpip` channels on request, one at a time
//! (libssh2 keeps a single channel-open state per session), and pumps bytes between each channel
//! and the local socket its host's session runs over. The session is non-blocking; one `poll`
//! waits on the hop's socket, every tunnel's local socket and the wake-up socket, so one thread
//! serves every tunnel of the session without spinning.

use std::collections::VecDeque;
use std::io::{ErrorKind as IoKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, ErrorCode, Session};

use super::error::{ErrorKind, HostError};
use super::hop::{HopThread, Request, LINGER};
use super::stream::{via, Unreachable};

const CHUNK: usize = 32 * 1024;
/// libssh2 error codes that mean the hop's connection itself is gone.
const SESSION_DEAD: [i32; 7] = [-7, -12, -13, -14, -43, -44, -45];
const EAGAIN: i32 = -37;
/// How often an idle hop session sends a keepalive (as host sessions do).
const KEEPALIVE_EVERY: Duration = Duration::from_secs(20);

struct Tunnel {
    channel: Channel,
    local: UnixStream,
    /// Read from the host's session, not yet accepted by the channel.
    up: Vec<u8>,
    up_at: usize,
    /// Read from the channel, not yet written to the local socket.
    down: Vec<u8>,
    down_at: usize,
    local_eof: bool,
    eof_sent: bool,
    remote_eof: bool,
    /// Ended: the channel is being closed; the local socket is dropped.
    closing: bool,
    /// The channel is closed: the tunnel can be freed.
    closed: bool,
}

/// A channel open in progress.
struct Opening {
    request: Request,
    deadline: Instant,
    /// The host already got its timeout; the channel is closed as soon as it opens.
    abandoned: bool,
}

pub(super) struct Pump<'h> {
    hop: &'h HopThread,
    session: Session,
    socket: RawFd,
    /// Requests waiting for their turn, each with its deadline (counted from its arrival).
    queue: VecDeque<(Request, Instant)>,
    opening: Option<Opening>,
    tunnels: Vec<Tunnel>,
    /// Channels opened for no one (their host stopped waiting), being closed.
    orphans: Vec<Channel>,
    idle_since: Instant,
    last_traffic: Instant,
}

enum Step {
    Progress,
    Idle,
}

impl<'h> Pump<'h> {
    pub fn new(hop: &'h HopThread, session: Session, socket: RawFd) -> Self {
        Self {
            hop,
            session,
            socket,
            queue: VecDeque::new(),
            opening: None,
            tunnels: Vec::new(),
            orphans: Vec::new(),
            idle_since: Instant::now(),
            last_traffic: Instant::now(),
        }
    }

    /// Runs until the session dies (its error, for the hosts still waiting) or has been idle
    /// for [`LINGER`] (`None`).
    pub fn run(mut self) -> Option<HostError> {
        loop {
            self.take_requests();
            self.expire_queued();
            let mut moved = false;
            match self.step_open() {
                Ok(Step::Progress) => moved = true,
                Ok(Step::Idle) => {}
                Err(dead) => return Some(self.die(dead)),
            }
            match self.step_tunnels() {
                Ok(Step::Progress) => moved = true,
                Ok(Step::Idle) => {}
                Err(dead) => return Some(self.die(dead)),
            }
            if moved {
                self.last_traffic = Instant::now();
                continue;
            }
            let nothing = self.tunnels.is_empty() && self.orphans.is_empty();
            if nothing && self.opening.is_none() && self.queue.is_empty() {
                if self.idle_since.elapsed() >= LINGER && self.hop.retire_if_idle() {
                    return None;
                }
            } else {
                self.idle_since = Instant::now();
            }
            if self.last_traffic.elapsed() >= KEEPALIVE_EVERY {
                self.session.set_keepalive(false, 1);
                let _ = self.session.keepalive_send();
                self.session.set_keepalive(false, 0);
                self.last_traffic = Instant::now();
            }
            if self.wait() {
                if self.hop.retire_if_idle() {
                    return None;
                }
                return Some(self.die(Dead("the jump host closed the connection".into())));
            }
        }
    }

    fn take_requests(&mut self) {
        let mut buf = [0u8; 64];
        while matches!((&self.hop.woken).read(&mut buf), Ok(n) if n > 0) {}
        while let Ok(request) = self.hop.inbox.try_recv() {
            let deadline = Instant::now() + request.timeout;
            self.queue.push_back((request, deadline));
        }
    }

    /// Answers the requests that waited their whole timeout in the queue (behind a channel
    /// that is slow to open).
    fn expire_queued(&mut self) {
        let now = Instant::now();
        let hop = self.hop;
        self.queue.retain(|(request, deadline)| {
            if now < *deadline {
                return true;
            }
            let _ = request.reply.send(Err(timed_out(&hop.name, request)));
            hop.load.fetch_sub(1, Ordering::SeqCst);
            false
        });
    }

    fn step_open(&mut self) -> Result<Step, Dead> {
        if self.opening.is_none() {
            let Some((request, deadline)) = self.queue.pop_front() else {
                return Ok(Step::Idle);
            };
            self.opening = Some(Opening {
                request,
                deadline,
                abandoned: false,
            });
        }
        let Some(open) = self.opening.as_mut() else {
            return Ok(Step::Idle);
        };
        let (address, port) = (open.request.address.clone(), open.request.port);
        match self.session.channel_direct_tcpip(&address, port, None) {
            Ok(channel) => {
                let open = self.opening.take();
                self.opened(open, channel);
                Ok(Step::Progress)
            }
            Err(e) if e.code() == ErrorCode::Session(EAGAIN) => {
                if !open.abandoned && Instant::now() >= open.deadline {
                    open.abandoned = true;
                    let error = timed_out(&self.hop.name, &open.request);
                    let _ = open.request.reply.send(Err(error));
                    self.hop.load.fetch_sub(1, Ordering::SeqCst);
                }
                Ok(Step::Idle)
            }
            Err(e) if is_dead(&e) => Err(e.into()),
            Err(e) => {
                let open = self.opening.take();
                if let Some(open) = open.filter(|o| !o.abandoned) {
                    let error = HostError::new(
                        ErrorKind::Refused,
                        format!(
                            "{} could not connect to {address}:{port}: {}",
                            self.hop.name,
                            e.message()
                        ),
                        format!(
                            "check that sshd runs on the host and listens on port {port}, that {} can reach it, \
                             and that {} allows TCP forwarding (AllowTcpForwarding)",
                            self.hop.name, self.hop.name
                        ),
                    );
                    let _ = open.request.reply.send(Err(Unreachable::Host(error)));
                    self.hop.load.fetch_sub(1, Ordering::SeqCst);
                }
                Ok(Step::Progress)
            }
        }
    }

    fn opened(&mut self, open: Option<Opening>, channel: Channel) {
        let Some(open) = open else { return };
        if open.abandoned {
            // Its host got a timeout, which already took it off the load.
            self.orphans.push(channel);
            return;
        }
        let pair = UnixStream::pair().and_then(|(ours, theirs)| {
            ours.set_nonblocking(true)?;
            Ok((ours, theirs))
        });
        match pair {
            Ok((ours, theirs)) => {
                if open.request.reply.send(Ok(theirs)).is_ok() {
                    self.tunnels.push(Tunnel::new(channel, ours));
                } else {
                    // The host gave up waiting.
                    self.orphans.push(channel);
                    self.hop.load.fetch_sub(1, Ordering::SeqCst);
                }
            }
            Err(e) => {
                self.orphans.push(channel);
                self.hop.load.fetch_sub(1, Ordering::SeqCst);
                let error = HostError::new(
                    ErrorKind::Refused,
                    format!("cannot create a local socket for the tunnel: {e}"),
                    "the jump host is short of file descriptors: lower --parallel or raise ulimit -n",
                );
                let _ = open.request.reply.send(Err(Unreachable::Host(error)));
            }
        }
    }

    /// Closes channels nobody uses (libssh2 frees a channel only once it is closed).
    fn close_orphans(&mut self) -> Result<bool, Dead> {
        let before = self.orphans.len();
        let mut kept = Vec::with_capacity(before);
        for mut channel in self.orphans.drain(..) {
            match channel.close() {
                Err(e) if e.code() == ErrorCode::Session(EAGAIN) => kept.push(channel),
                Err(e) if is_dead(&e) => return Err(e.into()),
                _ => {}
            }
        }
        self.orphans = kept;
        Ok(self.orphans.len() < before)
    }

    fn step_tunnels(&mut self) -> Result<Step, Dead> {
        let mut moved = false;
        for t in &mut self.tunnels {
            moved |= t.step()?;
        }
        moved |= self.close_orphans()?;
        let before = self.tunnels.len();
        self.tunnels.retain(|t| !t.finished());
        let closed = before - self.tunnels.len();
        self.hop.load.fetch_sub(closed, Ordering::SeqCst);
        Ok(if moved || closed > 0 {
            Step::Progress
        } else {
            Step::Idle
        })
    }

    /// Sleeps in `poll` until the hop's socket, a local socket or the wake-up socket has
    /// something for us (or an open in progress reaches its deadline).
    ///
    /// The hop's socket is watched for input only while something here would read it: data
    /// for tunnels whose hosts are not reading would otherwise wake `poll` at once, forever.
    /// Otherwise only its hang-up is watched; `true`: the hop closed the connection.
    fn wait(&self) -> bool {
        let mut fds = Vec::with_capacity(self.tunnels.len() + 2);
        let outbound = matches!(
            self.session.block_directions(),
            BlockDirections::Outbound | BlockDirections::Both
        );
        let reading = self.reads_session();
        let session_events = if reading {
            libc::POLLIN
        } else {
            libc::POLLRDHUP
        } | if outbound { libc::POLLOUT } else { 0 };
        fds.push(pollfd(self.socket, session_events));
        fds.push(pollfd(self.hop.woken.as_raw_fd(), libc::POLLIN));
        for t in &self.tunnels {
            let mut events = 0;
            if !t.closing && !t.local_eof && t.up_at >= t.up.len() {
                events |= libc::POLLIN;
            }
            if !t.closing && t.down_at < t.down.len() {
                events |= libc::POLLOUT;
            }
            if events != 0 {
                fds.push(pollfd(t.local.as_raw_fd(), events));
            }
        }
        let mut timeout = KEEPALIVE_EVERY.min(LINGER);
        if let Some(open) = &self.opening {
            // libssh2 may hold the channel's answer already read: look again soon.
            timeout = open
                .deadline
                .saturating_duration_since(Instant::now())
                .clamp(Duration::from_millis(1), Duration::from_millis(50));
        }
        if !self.orphans.is_empty() || self.tunnels.iter().any(|t| t.closing) {
            timeout = timeout.min(Duration::from_millis(50));
        }
        if let Some(first) = self.queue.iter().map(|(_, d)| *d).min() {
            timeout = timeout.min(first.saturating_duration_since(Instant::now()));
        }
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(1000);
        let n = libc::nfds_t::try_from(fds.len()).unwrap_or(0);
        // SAFETY: `fds` is a valid array of `n` pollfd structs that outlives the call.
        unsafe { libc::poll(fds.as_mut_ptr(), n, ms) };
        let gone = libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR;
        !reading && fds[0].revents & gone != 0
    }

    /// Whether anything would read the hop's socket now: an open in progress, a channel being
    /// closed, a tunnel with room for the host's data or data of its own to send.
    fn reads_session(&self) -> bool {
        self.opening.is_some()
            || !self.orphans.is_empty()
            || self.tunnels.iter().any(|t| {
                t.closing
                    || (!t.remote_eof && t.down_at >= t.down.len())
                    || t.up_at < t.up.len()
                    || (t.local_eof && !t.eof_sent)
            })
    }

    /// The session is gone: every tunnel ends (its host sees its connection drop), every
    /// waiting host gets the hop's error.
    fn die(&mut self, e: Dead) -> HostError {
        let error = via(
            &self.hop.name,
            HostError::new(
                ErrorKind::Refused,
                format!("the jump host's connection was lost: {}", e.0),
                "check the jump host (its sshd, its network); the hosts behind it were cut off",
            ),
        );
        let ended = self.tunnels.len();
        self.tunnels.clear();
        self.orphans.clear();
        self.hop.load.fetch_sub(ended, Ordering::SeqCst);
        let waiting = self
            .opening
            .take()
            .filter(|o| !o.abandoned)
            .map(|o| o.request);
        let queued = self.queue.drain(..).map(|(r, _)| r);
        for request in waiting.into_iter().chain(queued) {
            let _ = request.reply.send(Err(Unreachable::Hop(error.clone())));
            self.hop.load.fetch_sub(1, Ordering::SeqCst);
        }
        error
    }
}

/// The host's connect_timeout passed before the hop had a channel to it.
fn timed_out(hop: &str, request: &Request) -> Unreachable {
    Unreachable::Host(HostError::new(
        ErrorKind::Timeout,
        format!(
            "{hop} did not connect to {}:{} within {}",
            request.address,
            request.port,
            humantime::format_duration(request.timeout)
        ),
        format!(
            "check that the host is up and that no firewall between {hop} and it drops SSH; \
             raise connect_timeout for slow links"
        ),
    ))
}

fn pollfd(fd: RawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

fn is_dead(e: &ssh2::Error) -> bool {
    matches!(e.code(), ErrorCode::Session(code) if SESSION_DEAD.contains(&code))
}

fn io_dead(e: &std::io::Error) -> Option<Dead> {
    // ssh2 turns its errors into io::Error with the ssh2::Error inside.
    let inner = e.get_ref()?.downcast_ref::<ssh2::Error>()?;
    is_dead(inner).then(|| Dead(inner.message().to_owned()))
}

/// The hop's connection is gone (libssh2's message).
struct Dead(String);

impl From<ssh2::Error> for Dead {
    fn from(e: ssh2::Error) -> Self {
        Dead(e.message().to_owned())
    }
}

impl Tunnel {
    fn new(channel: Channel, local: UnixStream) -> Self {
        Self {
            channel,
            local,
            up: Vec::new(),
            up_at: 0,
            down: Vec::new(),
            down_at: 0,
            local_eof: false,
            eof_sent: false,
            remote_eof: false,
            closing: false,
            closed: false,
        }
    }

    /// Moves what can move without blocking. `Err`: the whole session is dead.
    fn step(&mut self) -> Result<bool, Dead> {
        if self.closing {
            return self.close();
        }
        let mut moved = false;
        // Host → channel.
        if self.up_at >= self.up.len() && !self.local_eof {
            self.up.resize(CHUNK, 0);
            self.up_at = 0;
            match self.local.read(&mut self.up) {
                Ok(0) => {
                    self.up.clear();
                    self.local_eof = true;
                    moved = true;
                }
                Ok(n) => {
                    self.up.truncate(n);
                    moved = true;
                }
                Err(e) if e.kind() == IoKind::WouldBlock => self.up.clear(),
                Err(_) => {
                    self.up.clear();
                    self.local_eof = true;
                }
            }
        }
        while self.up_at < self.up.len() {
            match self.channel.write(&self.up[self.up_at..]) {
                Ok(n) => {
                    self.up_at += n;
                    moved = true;
                }
                Err(e) if e.kind() == IoKind::WouldBlock => break,
                Err(e) => {
                    if let Some(dead) = io_dead(&e) {
                        return Err(dead);
                    }
                    self.closing = true;
                    return Ok(true);
                }
            }
        }
        if self.local_eof && self.up_at >= self.up.len() && !self.eof_sent {
            match self.channel.send_eof() {
                Ok(()) => {
                    self.eof_sent = true;
                    moved = true;
                }
                Err(e) if e.code() == ErrorCode::Session(EAGAIN) => {}
                Err(e) if is_dead(&e) => return Err(e.into()),
                Err(_) => self.eof_sent = true,
            }
        }
        // Channel → host.
        if self.down_at >= self.down.len() && !self.remote_eof {
            self.down.resize(CHUNK, 0);
            self.down_at = 0;
            match self.channel.read(&mut self.down) {
                Ok(0) => {
                    self.down.clear();
                    if self.channel.eof() {
                        self.remote_eof = true;
                        let _ = self.local.shutdown(std::net::Shutdown::Write);
                        moved = true;
                    }
                }
                Ok(n) => {
                    self.down.truncate(n);
                    moved = true;
                }
                Err(e) if e.kind() == IoKind::WouldBlock => self.down.clear(),
                Err(e) => {
                    self.down.clear();
                    if let Some(dead) = io_dead(&e) {
                        return Err(dead);
                    }
                    self.closing = true;
                    return Ok(true);
                }
            }
        }
        while self.down_at < self.down.len() {
            match self.local.write(&self.down[self.down_at..]) {
                Ok(n) => {
                    self.down_at += n;
                    moved = true;
                }
                Err(e) if e.kind() == IoKind::WouldBlock => break,
                Err(_) => {
                    // The host's session is gone: nothing more to deliver.
                    self.closing = true;
                    return Ok(true);
                }
            }
        }
        if self.local_eof && self.eof_sent && self.remote_eof {
            self.closing = true;
            moved = true;
        }
        Ok(moved)
    }

    /// Closes the channel (libssh2 needs the peer's close before it can free it).
    fn close(&mut self) -> Result<bool, Dead> {
        let _ = self.local.shutdown(std::net::Shutdown::Both);
        match self.channel.close() {
            Ok(()) => {
                self.closed = true;
                Ok(true)
            }
            Err(e) if e.code() == ErrorCode::Session(EAGAIN) => Ok(false),
            Err(e) if is_dead(&e) => Err(e.into()),
            Err(_) => {
                self.closed = true;
                Ok(true)
            }
        }
    }

    fn finished(&self) -> bool {
        self.closed
    }
}
