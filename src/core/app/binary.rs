//! What a Go binary is, read from its bytes: its architecture, whether it is linked statically
//! (the libraries it needs, if not) and its embedded build information.

use object::{Architecture, Object, ObjectSection};

use super::buildinfo::{self, BuildInfo, BuildInfoError};

/// The facts `app build` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoBinary {
    /// Go's name for it: `amd64`, `arm64`, …
    pub goarch: String,
    /// The shared libraries it names (`DT_NEEDED`); empty for a static binary.
    pub needed: Vec<String>,
    /// It asks for a program interpreter (the dynamic loader).
    pub interpreter: bool,
    pub build: BuildInfo,
}

impl GoBinary {
    pub fn is_static(&self) -> bool {
        !self.interpreter && self.needed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinaryError {
    #[error("not an ELF executable: {0}")]
    NotElf(String),
    #[error("an ELF binary for {0:?}, which Go does not build for Linux hosts")]
    Architecture(String),
    #[error(transparent)]
    BuildInfo(#[from] BuildInfoError),
}

/// Reads `data`, the whole binary.
pub fn inspect(data: &[u8]) -> Result<GoBinary, BinaryError> {
    let file = object::File::parse(data).map_err(|e| BinaryError::NotElf(e.to_string()))?;
    if file.format() != object::BinaryFormat::Elf {
        return Err(BinaryError::NotElf(format!("{:?}", file.format())));
    }
    let goarch = goarch(file.architecture())
        .ok_or_else(|| BinaryError::Architecture(format!("{:?}", file.architecture())))?;
    let interpreter = file.section_by_name(".interp").is_some();
    let needed = needed(&file, file.is_little_endian(), file.is_64());
    let build = match file
        .section_by_name(".go.buildinfo")
        .and_then(|s| s.data().ok())
    {
        Some(section) => buildinfo::parse(section)?,
        // Go searches the data segments when there is no such section; the whole file is
        // searched here (at 16-byte alignment, as Go does).
        None => buildinfo::parse(data)?,
    };
    Ok(GoBinary {
        goarch: goarch.to_string(),
        needed,
        interpreter,
        build,
    })
}

fn goarch(arch: Architecture) -> Option<&'static str> {
    Some(match arch {
        Architecture::X86_64 => "amd64",
        Architecture::Aarch64 => "arm64",
        Architecture::I386 => "386",
        Architecture::Arm => "arm",
        Architecture::PowerPc64 => "ppc64le",
        Architecture::S390x => "s390x",
        Architecture::Riscv64 => "riscv64",
        Architecture::LoongArch64 => "loong64",
        Architecture::Mips64 => "mips64le",
        _ => return None,
    })
}

/// `DT_NEEDED` names from `.dynamic`, looked up in `.dynstr`.
fn needed(file: &object::File<'_>, little: bool, wide: bool) -> Vec<String> {
    let (Some(dynamic), Some(strings)) = (
        file.section_by_name(".dynamic").and_then(|s| s.data().ok()),
        file.section_by_name(".dynstr").and_then(|s| s.data().ok()),
    ) else {
        return Vec::new();
    };
    let word = if wide { 8 } else { 4 };
    let read = |b: &[u8]| -> u64 {
        let mut v = [0u8; 8];
        if little {
            v[..word].copy_from_slice(b);
            u64::from_le_bytes(v)
        } else {
            v[8 - word..].copy_from_slice(b);
            u64::from_be_bytes(v)
        }
    };
    const DT_NULL: u64 = 0;
    const DT_NEEDED: u64 = 1;
    let mut out = Vec::new();
    for entry in dynamic.chunks_exact(2 * word) {
        let tag = read(&entry[..word]);
        if tag == DT_NULL {
            break;
        }
        if tag != DT_NEEDED {
            continue;
        }
        let at = read(&entry[word..]) as usize;
        if let Some(rest) = strings.get(at..) {
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        }
    }
    out
}
