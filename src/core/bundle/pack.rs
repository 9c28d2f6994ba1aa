//! Writing a bundle's tarball in one pass: a gzip'd tar whose entries are root-owned with one
//! fixed mtime, parent directories before what they hold, each file hashed as it goes in and the
//! compressed bytes hashed as they go out. Used by the bundles offgo makes itself (applications,
//! module caches); a Go release's tarball is the official one, never rewritten.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

pub struct TarballWriter {
    tar: tar::Builder<GzEncoder<Hashing<std::fs::File>>>,
    dirs: BTreeSet<String>,
    mtime: u64,
}

impl TarballWriter {
    pub fn new(file: std::fs::File, mtime: u64) -> Self {
        let out = Hashing {
            inner: file,
            hasher: Sha256::new(),
            size: 0,
        };
        Self {
            tar: tar::Builder::new(GzEncoder::new(out, flate2::Compression::default())),
            dirs: BTreeSet::new(),
            mtime,
        }
    }

    /// Appends the regular file `path` (relative, `/`-separated) of `len` bytes read from
    /// `data`, with `mode`; returns the sha256 of its content.
    pub fn append(
        &mut self,
        path: &str,
        mode: u32,
        len: u64,
        data: impl Read,
    ) -> std::io::Result<[u8; 32]> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut parent = String::new();
        for part in &parts[..parts.len() - 1] {
            parent.push_str(part);
            parent.push('/');
            if self.dirs.insert(parent.clone()) {
                let mut header = self.header(0o755);
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                self.tar
                    .append_data(&mut header, &parent, std::io::empty())?;
            }
        }
        let mut header = self.header(mode);
        header.set_size(len);
        let mut reader = HashingReader {
            inner: data.take(len),
            hasher: Sha256::new(),
        };
        self.tar.append_data(&mut header, path, &mut reader)?;
        Ok(reader.hasher.finalize().into())
    }

    /// Ends the archive, syncs the file; returns the tarball's size and sha256.
    pub fn finish(self) -> std::io::Result<(u64, [u8; 32])> {
        let mut out = self.tar.into_inner()?.finish()?;
        out.flush()?;
        out.inner.sync_all()?;
        Ok((out.size, out.hasher.finalize().into()))
    }

    fn header(&self, mode: u32) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        let _ = header.set_username("root");
        let _ = header.set_groupname("root");
        header.set_mtime(self.mtime);
        header
    }
}

/// Hashes and counts what goes through to the file.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
