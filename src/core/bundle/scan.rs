//! One pass over a release tarball: the compressed bytes are hashed (and optionally copied) as
//! they are read, inflated, and walked as a tar stream; every entry is checked for safety and
//! every regular file hashed. Memory stays constant in the tarball's size (one small record per
//! file, for the sorted `.sha256sums`).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::entry_path::{normalize_entry, normalize_hard_link_target};
use super::error::{BundleError, EntryProblem};
use super::hash::{HashingReader, READ_SIZE};
use super::links::TreeLinks;
use super::name::ReleaseName;
use super::sums::FileSum;

/// What one pass found. The size and sha256 cover the whole file even when the walk failed, so
/// a sha256 mismatch (the root cause) can be reported ahead of what it broke.
pub struct Scan {
    pub size: u64,
    pub sha256: [u8; 32],
    pub tree: Result<Vec<FileSum>, BundleError>,
    /// The copy of the tarball, complete and synced, if one was asked for.
    pub copy: Option<File>,
    /// Bytes of the regular files in the tree: what extracting it takes on a host, roughly.
    pub unpacked: u64,
}

/// Scans `path`, whose file name has already been parsed into `release`.
pub fn scan(path: &Path, release: &ReleaseName, copy: Option<File>) -> Result<Scan, BundleError> {
    let file = File::open(path).map_err(|e| BundleError::read(path, e))?;
    let mut raw = HashingReader::new(file, copy);
    let mut walker = Walker::new(release);
    let tree = {
        let gz = MultiGzDecoder::new(BufReader::with_capacity(READ_SIZE, &mut raw));
        let mut archive = tar::Archive::new(gz);
        let tree = walker.walk(&mut archive);
        // Inflate whatever follows the tar end marker too: that checks the gzip trailer (CRC
        // and length, so truncation and bit flips are caught) and any further gzip members.
        tree.and_then(|tree| {
            std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
                .map_err(|e| walker.corrupt(&e))?;
            Ok(tree)
        })
    };
    raw.drain().map_err(|e| BundleError::read(path, e))?;
    let copy = raw.take_copy().map_err(|e| BundleError::write(path, e))?;
    let (size, sha256) = raw.finish();
    Ok(Scan {
        size,
        sha256,
        tree,
        copy,
        unpacked: walker.unpacked,
    })
}

struct Walker {
    tarball: String,
    version: String,
    files: HashMap<String, [u8; 32]>,
    /// Paths of everything but directories, to catch an entry given twice.
    taken: HashSet<String>,
    dirs: HashSet<String>,
    links: TreeLinks,
    version_line: Option<String>,
    buf: Vec<u8>,
    unpacked: u64,
}

impl Walker {
    fn new(release: &ReleaseName) -> Self {
        Self {
            tarball: release.tarball_name(),
            version: release.version.clone(),
            files: HashMap::new(),
            taken: HashSet::new(),
            dirs: HashSet::new(),
            links: TreeLinks::default(),
            version_line: None,
            buf: vec![0u8; 256 << 10],
            unpacked: 0,
        }
    }

    fn corrupt(&self, e: &std::io::Error) -> BundleError {
        BundleError::Corrupt {
            tarball: self.tarball.clone(),
            detail: format!("it is not a complete gzip-compressed tar archive ({e})"),
        }
    }

    fn refuse(&self, entry: &str, problem: EntryProblem) -> BundleError {
        BundleError::UnsafeEntry {
            tarball: self.tarball.clone(),
            entry: entry.to_string(),
            problem,
        }
    }

    fn walk<R: Read>(
        &mut self,
        archive: &mut tar::Archive<R>,
    ) -> Result<Vec<FileSum>, BundleError> {
        for entry in archive.entries().map_err(|e| self.corrupt(&e))? {
            let mut entry = entry.map_err(|e| self.corrupt(&e))?;
            self.entry(&mut entry)?;
        }
        self.finish()
    }

    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<R>) -> Result<(), BundleError> {
        let raw_path = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw_path).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            return Ok(());
        }
        let path = match normalize_entry(&raw_path) {
            Ok(Some(path)) => path,
            Ok(None) if kind.is_dir() => return Ok(()),
            Ok(None) => return Err(self.refuse(&shown, EntryProblem::EmptyPath)),
            Err(problem) => return Err(self.refuse(&shown, problem)),
        };
        if path == "go" && !kind.is_dir() {
            return Err(self.refuse(&shown, EntryProblem::TopIsNotDirectory));
        }
        if kind.is_dir() {
            if self.taken.contains(&path) {
                return Err(self.refuse(&shown, EntryProblem::Duplicate));
            }
            self.dirs.insert(path);
            return Ok(());
        }
        if self.dirs.contains(&path) || !self.taken.insert(path.clone()) {
            return Err(self.refuse(&shown, EntryProblem::Duplicate));
        }
        match kind {
            EntryType::Regular | EntryType::Continuous => {
                // Rounded up to 4 KiB blocks, as a filesystem stores them.
                self.unpacked += entry.size().div_ceil(4096) * 4096;
                let sum = self.hash_content(entry, path == "go/VERSION")?;
                self.files.insert(path, sum);
            }
            EntryType::Link => {
                let raw_target = entry.link_name_bytes().unwrap_or_default().into_owned();
                let target =
                    normalize_hard_link_target(&raw_target).map_err(|p| self.refuse(&shown, p))?;
                let sum = self.files.get(&target).copied().ok_or_else(|| {
                    self.refuse(
                        &shown,
                        EntryProblem::HardLinkToUnknown {
                            target: target.clone(),
                        },
                    )
                })?;
                self.files.insert(path, sum);
            }
            EntryType::Symlink => {
                let raw_target = entry.link_name_bytes().unwrap_or_default().into_owned();
                let target = String::from_utf8(raw_target)
                    .map_err(|_| self.refuse(&shown, EntryProblem::NotUtf8))?;
                self.links.add(path, target);
            }
            EntryType::Char | EntryType::Block => {
                return Err(self.refuse(&shown, EntryProblem::Device))
            }
            EntryType::Fifo => return Err(self.refuse(&shown, EntryProblem::Fifo)),
            other => {
                return Err(self.refuse(&shown, EntryProblem::Unsupported(format!("{other:?}"))))
            }
        }
        Ok(())
    }

    /// Hashes an entry's content; for `go/VERSION` also keeps its first line.
    fn hash_content<R: Read>(
        &mut self,
        entry: &mut tar::Entry<R>,
        keep_first_line: bool,
    ) -> Result<[u8; 32], BundleError> {
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        loop {
            let n = match entry.read(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.corrupt(&e)),
            };
            if n == 0 {
                break;
            }
            hasher.update(&self.buf[..n]);
            if keep_first_line && head.len() < 256 {
                head.extend_from_slice(&self.buf[..n.min(256)]);
            }
        }
        if keep_first_line {
            let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
            self.version_line = Some(String::from_utf8_lossy(first).trim().to_string());
        }
        Ok(hasher.finalize().into())
    }

    /// Checks that need the whole tree: links, and what `go/VERSION` said.
    fn finish(&mut self) -> Result<Vec<FileSum>, BundleError> {
        if let Some((path, problem)) = self.links.first_escape() {
            return Err(self.refuse(&path, problem));
        }
        if !self.links.is_empty() {
            let mut all: Vec<&String> = self.taken.iter().chain(self.dirs.iter()).collect();
            all.sort();
            if let Some((path, link)) = all
                .iter()
                .find_map(|p| self.links.ancestor_link(p).map(|l| (*p, l)))
            {
                return Err(self.refuse(path, EntryProblem::UnderSymlink { link }));
            }
        }
        match &self.version_line {
            None => {
                return Err(BundleError::MissingVersion {
                    tarball: self.tarball.clone(),
                })
            }
            Some(found) if *found != self.version => {
                return Err(BundleError::VersionMismatch {
                    tarball: self.tarball.clone(),
                    found: found.clone(),
                    expected: self.version.clone(),
                })
            }
            Some(_) => {}
        }
        Ok(self
            .files
            .drain()
            .map(|(path, sha256)| FileSum { path, sha256 })
            .collect())
    }
}
