//! An installed app's binary provenance as `go version -m BINARY` prints it, from the build
//! info its bundle's manifest kept: the binary and its Go, `path`, `mod`, and the `build`
//! settings the manifest records (Go's order; a value Go would quote, quoted as Go does).

use std::cmp::Ordering;

use super::manifest::AppManifest;

/// `go version -m`'s lines (tab-separated, as Go prints them) for `binary`, a path on the host.
pub fn go_version_m(binary: &str, manifest: &AppManifest) -> Vec<String> {
    let b = &manifest.build;
    let mut out = vec![format!("{binary}: {}", b.go_version)];
    if let Some(path) = &b.path {
        out.push(format!("\tpath\t{path}"));
    }
    if let Some(module) = &b.module {
        // No checksum for the main module: Go ends the line with an empty field.
        let version = b.module_version.as_deref().unwrap_or("");
        out.push(format!("\tmod\t{module}\t{version}\t"));
    }
    for (key, value) in [
        ("-ldflags", &b.ldflags),
        ("CGO_ENABLED", &b.cgo_enabled),
        ("GOARCH", &b.goarch),
        ("GOOS", &b.goos),
        ("vcs.revision", &b.vcs_revision),
        ("vcs.time", &b.vcs_time),
        ("vcs.modified", &b.vcs_modified),
    ] {
        if let Some(value) = value {
            out.push(format!("\tbuild\t{key}={}", quoted(value)));
        }
    }
    out
}

/// Go's `debug.BuildSetting` quoting: a value holding a space, tab, line break, quote or
/// backquote is written as a Go string literal.
fn quoted(value: &str) -> String {
    if value.contains([' ', '\t', '\r', '\n', '"', '`']) {
        // JSON's string escapes are Go's for these characters.
        serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
    } else {
        value.to_string()
    }
}

/// App versions in release order: dot- and dash-separated numbers compared as numbers
/// (`1.10.0` after `1.9.2`), text compared as text, a pre-release (`1.2.0-rc1`) before its
/// release, build metadata (`+b7`) only breaking ties. Versions are `app build`'s: letters,
/// digits, `.`, `-`, `_`, `+`.
pub fn compare_app_versions(a: &str, b: &str) -> Ordering {
    let split = |v: &'_ str| -> (String, Option<String>) {
        let core = v.split_once('+').map_or(v, |(c, _)| c);
        match core.split_once('-') {
            Some((release, pre)) => (release.to_string(), Some(pre.to_string())),
            None => (core.to_string(), None),
        }
    };
    let ((ra, pa), (rb, pb)) = (split(a), split(b));
    natural(&ra, &rb)
        .then_with(|| match (&pa, &pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => natural(x, y),
        })
        .then_with(|| a.cmp(b))
}

/// Runs of digits compared as numbers, everything else as text, run by run.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (runs(a), runs(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let order = match (digits(p), digits(q)) {
                    (Some(p), Some(q)) => p.len().cmp(&q.len()).then_with(|| p.cmp(q)),
                    // A number sorts before a word (`1.0.1` before `1.0.a`).
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => p.cmp(q),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// The version cut into runs of digits and runs of letters; separators dropped.
fn runs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        let first = rest.chars().next()?;
        let end = rest
            .find(|c: char| {
                !c.is_ascii_alphanumeric() || c.is_ascii_digit() != first.is_ascii_digit()
            })
            .unwrap_or(rest.len());
        let (run, after) = rest.split_at(end);
        rest = after;
        Some(run)
    })
}

/// A run of digits without its leading zeros.
fn digits(run: &str) -> Option<&str> {
    run.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| run.trim_start_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::app::BuildSection;

    #[test]
    fn versions_sort_as_releases() {
        let mut v = vec![
            "1.10.0",
            "1.9.2",
            "1.2.0",
            "1.2.0-rc1",
            "1.2.0-rc10",
            "1.2.0-rc2",
            "01.2.1",
            "0.9",
            "1.2.0+b7",
        ];
        v.sort_by(|a, b| compare_app_versions(a, b));
        assert_eq!(
            v,
            [
                "0.9",
                "1.2.0-rc1",
                "1.2.0-rc2",
                "1.2.0-rc10",
                "1.2.0",
                "1.2.0+b7",
                "01.2.1",
                "1.9.2",
                "1.10.0"
            ]
        );
    }

    #[test]
    fn provenance_reads_like_go_version_m() {
        let manifest = AppManifest {
            format_version: 1,
            name: "svc".into(),
            version: "1.1.0".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            tarball: String::new(),
            size: 0,
            sha256: String::new(),
            file_count: 0,
            tree_digest: String::new(),
            binary: "bin/svc".into(),
            files: vec![],
            is_static: true,
            needed: vec![],
            created: String::new(),
            builder: String::new(),
            build: BuildSection {
                go_version: "go1.22.10".into(),
                path: Some("example.com/svc".into()),
                module: Some("example.com/svc".into()),
                module_version: Some("(devel)".into()),
                ldflags: Some("-X main.version=1.1.0".into()),
                cgo_enabled: Some("0".into()),
                goos: Some("linux".into()),
                goarch: Some("amd64".into()),
                vcs_revision: Some("abc".into()),
                vcs_time: None,
                vcs_modified: Some("false".into()),
            },
            signature: None,
        };
        assert_eq!(
            go_version_m("/opt/offgo/apps/svc/current/bin/svc", &manifest),
            [
                "/opt/offgo/apps/svc/current/bin/svc: go1.22.10",
                "\tpath\texample.com/svc",
                "\tmod\texample.com/svc\t(devel)\t",
                "\tbuild\t-ldflags=\"-X main.version=1.1.0\"",
                "\tbuild\tCGO_ENABLED=0",
                "\tbuild\tGOARCH=amd64",
                "\tbuild\tGOOS=linux",
                "\tbuild\tvcs.revision=abc",
                "\tbuild\tvcs.modified=false",
            ]
        );
    }
}
