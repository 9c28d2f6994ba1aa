//! Small gzip'd tarballs made to order, including the malformed and hostile ones the tar
//! crate's safe API refuses to write (absolute paths, `..`): those names are put into the
//! header bytes directly.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use tar::{EntryType, Header};

pub struct Entry {
    pub path: Vec<u8>,
    pub kind: EntryType,
    pub data: Vec<u8>,
    pub link: Vec<u8>,
}

pub fn directory(path: &str) -> Entry {
    Entry {
        path: path.as_bytes().to_vec(),
        kind: EntryType::Directory,
        data: vec![],
        link: vec![],
    }
}

pub fn file(path: &str, data: &str) -> Entry {
    Entry {
        path: path.as_bytes().to_vec(),
        kind: EntryType::Regular,
        data: data.as_bytes().to_vec(),
        link: vec![],
    }
}

pub fn symlink(path: &str, target: &str) -> Entry {
    Entry {
        path: path.as_bytes().to_vec(),
        kind: EntryType::Symlink,
        data: vec![],
        link: target.as_bytes().to_vec(),
    }
}

pub fn hard_link(path: &str, target: &str) -> Entry {
    Entry {
        path: path.as_bytes().to_vec(),
        kind: EntryType::Link,
        data: vec![],
        link: target.as_bytes().to_vec(),
    }
}

pub fn special(path: &str, kind: EntryType) -> Entry {
    Entry {
        path: path.as_bytes().to_vec(),
        kind,
        data: vec![],
        link: vec![],
    }
}

/// A minimal, valid release tree for `version` (e.g. `go1.99.0`).
pub fn release_tree(version: &str) -> Vec<Entry> {
    vec![
        directory("go/"),
        file(
            "go/VERSION",
            &format!("{version}\ntime 2025-01-01T00:00:00Z\n"),
        ),
        directory("go/bin/"),
        file("go/bin/go", "#!/bin/sh\necho fake go\n"),
        directory("go/src/"),
        file("go/src/fmt.go", "package fmt\n"),
    ]
}

/// The tar stream of `entries`, uncompressed.
pub fn tar_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = Header::new_gnu();
        let name = &mut header.as_old_mut().name;
        name[..entry.path.len()].copy_from_slice(&entry.path);
        header.set_entry_type(entry.kind);
        header.set_mode(if entry.kind == EntryType::Directory {
            0o755
        } else {
            0o644
        });
        header.set_size(entry.data.len() as u64);
        header.set_mtime(1_700_000_000);
        if !entry.link.is_empty() {
            let link = &mut header.as_old_mut().linkname;
            link[..entry.link.len()].copy_from_slice(&entry.link);
        }
        header.set_cksum();
        builder.append(&header, entry.data.as_slice()).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Writes `entries` as `dir/name`, gzip'd.
pub fn write_tarball(dir: &Path, name: &str, entries: &[Entry]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, gzip(&tar_bytes(entries))).unwrap();
    path
}
