//! Go's architecture names against what `uname -m` prints on a host.

/// True when a Go release for `goarch` (as in its file name: `amd64`, `armv6l`, …) runs on a
/// host whose `uname -m` is `uname_m`.
pub fn goarch_matches_uname(goarch: &str, uname_m: &str) -> bool {
    let uname_m = uname_m.trim();
    let accepted: &[&str] = match goarch {
        "amd64" => &["x86_64", "amd64"],
        "386" => &["i386", "i486", "i586", "i686", "x86"],
        "arm64" => &["aarch64", "arm64"],
        // Go's 32-bit ARM release is built for ARMv6 and runs on every later 32-bit ARM.
        "armv6l" | "arm" => &["armv6l", "armv7l", "armv8l"],
        "loong64" => &["loongarch64"],
        // uname -m does not tell MIPS byte order apart.
        "mips64" | "mips64le" => &["mips64"],
        "mips" | "mipsle" => &["mips"],
        other => return other == uname_m,
    };
    accepted.contains(&uname_m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_arch_names_map_to_uname() {
        for (goarch, uname) in [
            ("amd64", "x86_64"),
            ("arm64", "aarch64"),
            ("386", "i686"),
            ("386", "i386"),
            ("armv6l", "armv7l"),
            ("armv6l", "armv6l"),
            ("ppc64le", "ppc64le"),
            ("s390x", "s390x"),
            ("riscv64", "riscv64"),
            ("loong64", "loongarch64"),
            ("amd64", "x86_64\n"),
        ] {
            assert!(goarch_matches_uname(goarch, uname), "{goarch} on {uname}");
        }
        for (goarch, uname) in [
            ("amd64", "aarch64"),
            ("arm64", "x86_64"),
            ("386", "x86_64"),
            ("armv6l", "aarch64"),
            ("ppc64le", "ppc64"),
            ("amd64", ""),
        ] {
            assert!(!goarch_matches_uname(goarch, uname), "{goarch} on {uname}");
        }
    }
}
