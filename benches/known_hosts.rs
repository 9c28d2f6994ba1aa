//! Host-key lookups for a fleet of 10,000 (issue 15, item 4): what each connection spends on
//! the jump host to find its host's lines in a known_hosts file that lists the whole fleet,
//! read and parsed per connection (as before) against the file parsed once and indexed
//! (`known_hosts_cache`). Plain and hashed (`HashKnownHosts yes`) files, medians of 5.
//!
//!     cargo bench --bench known_hosts

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use offgo::core::ssh::{known_hosts, known_hosts_cache};

const FLEET: usize = 10_000;
/// Hosts looked up the old way per round (each parses the whole file): the per-host cost is
/// what matters, and 10,000 of them would take minutes.
const OLD_SAMPLE: usize = 200;
const ROUNDS: usize = 5;

fn spec(i: usize) -> String {
    known_hosts::host_spec(
        &format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
        22,
    )
}

/// A 32-byte ed25519 public key blob for host `i`.
fn key(i: usize) -> Vec<u8> {
    let mut blob = Vec::new();
    for part in [&b"ssh-ed25519"[..], &[(i % 251) as u8; 32][..]] {
        blob.extend((part.len() as u32).to_be_bytes());
        blob.extend(part);
    }
    blob
}

fn hashed(spec: &str, i: usize) -> String {
    use hmac::{Hmac, Mac};
    let salt = [(i % 256) as u8; 20];
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).unwrap();
    mac.update(spec.as_bytes());
    format!(
        "|1|{}|{}",
        STANDARD.encode(salt),
        STANDARD.encode(mac.finalize().into_bytes())
    )
}

fn file(hash: bool) -> String {
    (0..FLEET)
        .map(|i| {
            let s = spec(i);
            let name = if hash { hashed(&s, i) } else { s };
            format!("{name} ssh-ed25519 {}\n", STANDARD.encode(key(i)))
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    println!("| known_hosts of {FLEET} hosts | before: read + parse per connection | parsed once, indexed | ratio | a scan of {FLEET} hosts, jump-host CPU before → now |");
    println!("| --- | --- | --- | --- | --- |");
    for hash in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        std::fs::write(&path, file(hash)).unwrap();
        // A file written a while ago (one written in the last 2 s is read again at each look).
        std::fs::File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
        let mut old = Vec::new();
        let mut new = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            for i in (0..FLEET).step_by(FLEET / OLD_SAMPLE) {
                let s = spec(i);
                let all = known_hosts::read_known_hosts(&path).unwrap();
                let types = known_hosts::known_key_types(&all, &s);
                let verdict = known_hosts::judge(&all, &s, "ssh-ed25519", &key(i));
                assert!(
                    !types.is_empty() && matches!(verdict, known_hosts::KeyVerdict::Match { .. })
                );
            }
            old.push(started.elapsed() / OLD_SAMPLE as u32);
            let started = Instant::now();
            for i in 0..FLEET {
                let s = spec(i);
                let mine = known_hosts_cache::lines_for(&path, &s).unwrap();
                let types = known_hosts::known_key_types(&mine, &s);
                let verdict = known_hosts::judge(&mine, &s, "ssh-ed25519", &key(i));
                assert!(
                    !types.is_empty() && matches!(verdict, known_hosts::KeyVerdict::Match { .. })
                );
            }
            new.push(started.elapsed() / FLEET as u32);
        }
        let (old, new) = (median(old), median(new));
        println!(
            "| {} | {:.1} µs per host | {:.1} µs per host | {:.5}× | {:.1} s → {:.2} s |",
            if hash { "hashed" } else { "plain" },
            old.as_secs_f64() * 1e6,
            new.as_secs_f64() * 1e6,
            new.as_secs_f64() / old.as_secs_f64(),
            old.as_secs_f64() * FLEET as f64,
            new.as_secs_f64() * FLEET as f64,
        );
    }
}
