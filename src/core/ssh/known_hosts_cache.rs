//! One parse of each known_hosts file per process, shared by every connection. A fleet of
//! 10,000 hosts has a known_hosts of 10,000 lines: parsing it again for each connection (base64
//! of every key) and matching every line against each host made a scan quadratic. Here the file
//! is parsed once, re-read only when it changes on disk (its inode, size or mtime), and lines that
//! name hosts literally are indexed by name; hashed lines, wildcards and negations are still
//! matched one by one, as OpenSSH does. `accept-new` appends go into the parsed copy too.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use super::known_hosts::{parse_known_hosts, HostPatterns, KnownHostLine};

/// A parsed known_hosts file with its literal host names indexed.
#[derive(Debug, Default)]
pub struct KnownHosts {
    lines: Vec<KnownHostLine>,
    /// Lowercased literal pattern → indices into `lines` of the lines that list it.
    by_name: HashMap<String, Vec<usize>>,
    /// Lines that must be matched one by one: hashed, wildcards, negations.
    scanned: Vec<usize>,
    /// Lines in the file, usable or not: the number the next appended line gets, less one.
    total_lines: usize,
}

impl KnownHosts {
    pub fn parse(text: &str) -> Self {
        let mut hosts = KnownHosts {
            total_lines: text.lines().count(),
            ..Default::default()
        };
        for line in parse_known_hosts(text) {
            hosts.add(line);
        }
        hosts
    }

    fn add(&mut self, line: KnownHostLine) {
        let at = self.lines.len();
        match &line.hosts {
            HostPatterns::Plain(patterns)
                if patterns
                    .iter()
                    .all(|p| !p.starts_with('!') && !p.contains(['*', '?'])) =>
            {
                for pattern in patterns {
                    let names = self
                        .by_name
                        .entry(pattern.to_ascii_lowercase())
                        .or_default();
                    if names.last() != Some(&at) {
                        names.push(at);
                    }
                }
            }
            _ => self.scanned.push(at),
        }
        self.lines.push(line);
    }

    /// The lines that name `spec`, in file order.
    pub fn lines_for(&self, spec: &str) -> Vec<KnownHostLine> {
        let mut at: Vec<usize> = self
            .by_name
            .get(&spec.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .chain(&self.scanned)
            .copied()
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(|i| &self.lines[i])
            .filter(|l| l.hosts.matches(spec))
            .cloned()
            .collect()
    }
}

/// What says a file is the one parsed: it is replaced, grown or touched otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_nsec: i64,
}

impl FileId {
    fn of(m: &std::fs::Metadata) -> Self {
        FileId {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: m.mtime(),
            mtime_nsec: m.mtime_nsec(),
        }
    }

    fn same_file(&self, other: &FileId) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// `None` for a missing file (an empty one, as OpenSSH reads it).
pub(super) fn file_id(path: &Path) -> std::io::Result<Option<FileId>> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(FileId::of(&m))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A file read whole, with its id before and after the read; `None` (not to be kept) when they
/// differ (written meanwhile) or the file changed too recently to be told from an edit of the
/// same size within the filesystem's timestamp resolution (as git treats a "racy" index).
fn read_whole(path: &Path) -> std::io::Result<(String, Option<Option<FileId>>)> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((String::new(), Some(None)))
        }
        Err(e) => return Err(e),
    };
    let before = FileId::of(&file.metadata()?);
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let after = FileId::of(&file.metadata()?);
    let settled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|now| now.as_secs() as i64 >= after.mtime + RACY_SECS)
        .unwrap_or(false);
    let keep = (before == after && settled).then_some(Some(after));
    Ok((text, keep))
}

/// A file changed less than this long ago is read again at each look, until it has settled.
const RACY_SECS: i64 = 2;

struct Entry {
    id: Option<FileId>,
    hosts: KnownHosts,
}

static CACHE: RwLock<Option<HashMap<PathBuf, Entry>>> = RwLock::new(None);

/// The lines of the known_hosts file at `path` that name `spec`, in file order, from the
/// parsed copy while the file is unchanged.
pub fn lines_for(path: &Path, spec: &str) -> std::io::Result<Vec<KnownHostLine>> {
    let id = file_id(path)?;
    {
        // A missing file is looked at each time: it is cheap, and it may appear.
        let cache = CACHE.read().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = cache.as_ref().and_then(|c| c.get(path)) {
            if entry.id == id {
                return Ok(entry.hosts.lines_for(spec));
            }
        }
    }
    let (text, keep) = read_whole(path)?;
    let hosts = KnownHosts::parse(&text);
    let lines = hosts.lines_for(spec);
    let mut cache = CACHE.write().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    match keep {
        // The id of the very bytes parsed, read from the open file: an append that lands
        // between a look and this read can never be taken into the copy twice.
        Some(id) => {
            cache.insert(path.to_path_buf(), Entry { id, hosts });
        }
        None => {
            cache.remove(path);
        }
    }
    Ok(lines)
}

/// `line_text` (`written` bytes with its line breaks) was just appended to `path` by
/// [`super::known_hosts::append`], under its lock: the parsed copy takes it too when that copy
/// was the file as it stood before (`before`) and nothing else was written meanwhile, so a fleet
/// accepting 10,000 new keys does not parse the file 10,000 times. Otherwise it is dropped.
pub(super) fn appended(
    path: &Path,
    before: Option<FileId>,
    written: u64,
    line_text: &str,
) -> std::io::Result<()> {
    let mut cache = CACHE.write().unwrap_or_else(|e| e.into_inner());
    let Some(cache) = cache.as_mut() else {
        return Ok(());
    };
    // The key is written: a failed look now only costs the copy.
    let Ok(after) = file_id(path) else {
        cache.remove(path);
        return Ok(());
    };
    // The same file (not one renamed over it), longer by exactly what was written.
    let grown_by_us = match (before, after) {
        (Some(b), Some(a)) => a.same_file(&b) && a.len == b.len + written,
        (None, Some(a)) => a.len == written,
        _ => false,
    };
    match cache.get_mut(path) {
        Some(entry) if entry.id == before && grown_by_us => {
            let number = entry.hosts.total_lines + 1;
            entry.hosts.total_lines += 1;
            if let Some(mut line) = parse_known_hosts(line_text).into_iter().next() {
                line.line = number;
                entry.hosts.add(line);
            }
            entry.id = after;
        }
        Some(_) => {
            cache.remove(path);
        }
        None => {}
    }
    Ok(())
}

/// How many lines the kept copy of `path` holds (`None`: none kept).
#[cfg(test)]
fn kept(path: &Path) -> Option<usize> {
    let cache = CACHE.read().unwrap_or_else(|e| e.into_inner());
    cache
        .as_ref()
        .and_then(|c| c.get(path))
        .map(|e| e.hosts.lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ssh::known_hosts;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use proptest::prelude::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBV1Vn2xNDdQoE2pJ4sX2SmH7SmSC3UcRcEv3I7Sv8rL";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOHm0Y9pB8wXvLmwY2Y3Wn6mJ0Wq7hH6X8cVg1s0nYfB";

    /// `|1|salt|hash` for `spec`, as `ssh-keygen -H` writes it.
    fn hashed(spec: &str) -> String {
        use hmac::{Hmac, Mac};
        let salt = [7u8; 20];
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).unwrap();
        mac.update(spec.as_bytes());
        format!(
            "|1|{}|{}",
            STANDARD.encode(salt),
            STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    const SPECS: [&str; 5] = ["web-01", "WEB-01", "[10.0.0.1]:2222", "db", "10.0.0.1"];

    fn pattern() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("web-01".to_string()),
            Just("Web-01".to_string()),
            Just("[10.0.0.1]:2222".to_string()),
            Just("db".to_string()),
            Just("web-*".to_string()),
            Just("!web-01".to_string()),
            Just("d?".to_string()),
            Just("*".to_string()),
            Just("10.0.0.1".to_string()),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        let plain = prop::collection::vec(pattern(), 1..4).prop_map(|p| p.join(","));
        let hosts = prop_oneof![
            3 => plain,
            1 => prop::sample::select(&SPECS[..]).prop_map(hashed),
        ];
        (
            hosts,
            any::<bool>(),
            prop::sample::select(vec![KEY_A, KEY_B]),
            any::<u8>(),
        )
            .prop_map(|(hosts, revoked, key, noise)| match noise % 8 {
                0 => "# a comment".to_string(),
                1 => String::new(),
                _ if revoked => format!("@revoked {hosts} ssh-ed25519 {key}"),
                _ => format!("{hosts} ssh-ed25519 {key}"),
            })
    }

    proptest! {
        /// The index finds exactly the lines a scan of every line finds, in the same order.
        #[test]
        fn the_index_names_the_same_lines_as_a_full_scan(lines in prop::collection::vec(line(), 0..30)) {
            let text = lines.join("\n");
            let all = known_hosts::parse_known_hosts(&text);
            let indexed = KnownHosts::parse(&text);
            for spec in SPECS {
                let scanned: Vec<KnownHostLine> =
                    known_hosts::lines_for(&all, spec).into_iter().cloned().collect();
                prop_assert_eq!(indexed.lines_for(spec), scanned, "{}", spec);
            }
        }
    }

    /// Back-dates the file's mtime, as if it had been written a while ago.
    fn settle(path: &Path) {
        let file = std::fs::File::options().append(true).open(path).unwrap();
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        file.set_modified(past).unwrap();
    }

    #[test]
    fn a_changed_file_is_read_again_and_an_append_is_seen_with_its_line_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        assert!(
            lines_for(&path, "web-01").unwrap().is_empty(),
            "a missing file is empty"
        );

        std::fs::write(&path, format!("# fleet\nweb-01 ssh-ed25519 {KEY_A}")).unwrap();
        let found = lines_for(&path, "web-01").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 2);
        // Just written: not kept (an edit of the same size in the same clock tick could not be
        // told from it); once settled, kept.
        assert_eq!(kept(&path), None);
        settle(&path);
        assert_eq!(lines_for(&path, "web-01").unwrap(), found);
        assert_eq!(kept(&path), Some(1));

        // accept-new: the parsed copy takes the line, numbered as the file numbers it (the
        // file had no final line break: one is added first).
        let key_b = STANDARD.decode(KEY_B).unwrap();
        known_hosts::append(&path, "db", "ssh-ed25519", &key_b).unwrap();
        assert_eq!(kept(&path), Some(2), "the append went into the kept copy");
        let db = lines_for(&path, "db").unwrap();
        assert_eq!(db.len(), 1);
        assert_eq!(db[0].line, 3);
        assert_eq!(db[0].key, key_b);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().nth(2).unwrap(),
            format!("db ssh-ed25519 {KEY_B}")
        );
        assert_eq!(
            KnownHosts::parse(&text).lines_for("db"),
            db,
            "the copy is the file"
        );

        // Edited by hand (another key for web-01): read again.
        std::fs::write(&path, format!("web-01 ssh-ed25519 {KEY_B}\n")).unwrap();
        settle(&path);
        let found = lines_for(&path, "web-01").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, key_b);
        assert!(lines_for(&path, "db").unwrap().is_empty());

        // Replaced by another file of the same size (a rename over it): read again.
        let other = dir.path().join("other");
        std::fs::write(&other, format!("db-0.1 ssh-ed25519 {KEY_B}\n")).unwrap();
        settle(&other);
        std::fs::rename(&other, &path).unwrap();
        assert!(lines_for(&path, "web-01").unwrap().is_empty());
        assert_eq!(lines_for(&path, "db-0.1").unwrap().len(), 1);
    }
}
