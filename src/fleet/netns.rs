//! A network namespace of its own, for hosts reachable only through a jump host (DESIGN.md,
//! "Test fleet facts for milestone 2"): a small holder process (`unshare --net`, `lo` up) keeps
//! it alive; the fleet's `sshd`s join it with `nsenter --net`; a [`Bridge`] forwards one loopback
//! port of the real namespace to the same port inside (the jump host's), and nothing else is
//! reachable from outside.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::{FleetError, IoContext};

/// The namespace, alive while this lives (its holder is stopped by pid on drop).
#[derive(Debug)]
pub struct NetNamespace {
    holder: Mutex<Child>,
    path: PathBuf,
}

impl NetNamespace {
    /// Starts the holder and waits until `lo` is up inside.
    pub fn create() -> Result<Self, FleetError> {
        if !super::isolation::is_root() {
            return Err(FleetError::Unsupported(
                "a network namespace needs root (`unshare --net`)".into(),
            ));
        }
        let mut holder = Command::new("unshare")
            .args([
                "--net",
                "sh",
                "-c",
                "ip link set lo up && echo ready && exec sleep 2147483647",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ctx(|| "starting `unshare --net`".into())?;
        let mut line = String::new();
        if let Some(out) = holder.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if line.trim() != "ready" {
            let _ = holder.kill();
            let _ = holder.wait();
            return Err(FleetError::Unsupported(
                "`unshare --net sh -c 'ip link set lo up'` did not start".into(),
            ));
        }
        // Without --fork, unshare execs its command: the holder's pid is the namespace's.
        let path = PathBuf::from(format!("/proc/{}/ns/net", holder.id()));
        Ok(Self {
            holder: Mutex::new(holder),
            path,
        })
    }

    /// `/proc/PID/ns/net`, for `nsenter --net=…` and `setns`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Connects to `127.0.0.1:port` from inside the namespace.
    pub fn connect(&self, port: u16) -> std::io::Result<TcpStream> {
        connect_in(&self.path, port)
    }

    /// Forwards `127.0.0.1:port` of the real namespace to `127.0.0.1:port` inside.
    pub fn bridge(&self, port: u16) -> Result<Bridge, FleetError> {
        Bridge::open(self.path.clone(), port)
    }
}

impl Drop for NetNamespace {
    fn drop(&mut self) {
        let mut holder = self.holder.lock().unwrap_or_else(|e| e.into_inner());
        let _ = holder.kill();
        let _ = holder.wait();
    }
}

/// Connects to `127.0.0.1:port` inside the namespace at `ns`: a socket belongs to the namespace
/// of the thread that creates it, so a short-lived thread joins the namespace and connects.
pub(crate) fn connect_in(ns: &Path, port: u16) -> std::io::Result<TcpStream> {
    let ns = ns.to_path_buf();
    std::thread::spawn(move || {
        let file = std::fs::File::open(&ns)?;
        // SAFETY: setns takes an fd we own and a namespace type; it changes only this thread's
        // network namespace, and this thread ends right after connecting.
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        TcpStream::connect_timeout(&addr, Duration::from_secs(5))
    })
    .join()
    .unwrap_or_else(|_| Err(std::io::Error::other("the connecting thread panicked")))
}

/// A loopback port of the real namespace forwarded into a network namespace. Closed (and every
/// forwarded connection cut) when dropped.
#[derive(Debug)]
pub struct Bridge {
    port: u16,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Bridge {
    fn open(ns: PathBuf, port: u16) -> Result<Self, FleetError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .ctx(|| format!("binding the bridge on 127.0.0.1:{port}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (stop2, open2) = (Arc::clone(&stop), Arc::clone(&open));
        std::thread::Builder::new()
            .name(format!("bridge:{port}"))
            .spawn(move || accept_loop(&listener, &ns, port, &stop2, &open2))
            .ctx(|| "starting the bridge thread".into())?;
        Ok(Self { port, stop, open })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

fn accept_loop(
    listener: &TcpListener,
    ns: &Path,
    port: u16,
    stop: &AtomicBool,
    open: &Mutex<Vec<TcpStream>>,
) {
    for outer in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(outer) = outer else { continue };
        // A refused inner connection closes the outer one: the client sees the host down.
        let Ok(inner) = connect_in(ns, port) else {
            continue;
        };
        let _ = outer.set_nodelay(true);
        let _ = inner.set_nodelay(true);
        let pairs = [(&outer, &inner), (&inner, &outer)];
        for (from, to) in pairs {
            let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
                continue;
            };
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Write);
            });
        }
        let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|s| s.peer_addr().is_ok());
        open.extend([outer, inner]);
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        for s in open.iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}
