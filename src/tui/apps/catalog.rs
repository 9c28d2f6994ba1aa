//! What the bundle directory (the one the push picker lists) says of apps and of Go: the newest
//! bundle of each app (`*.offgo-app.toml`) and the newest Go release bundle (`*.offgo.toml`),
//! against which the apps view flags drift and apps built with an older Go. Listing is file
//! I/O: the event loop runs it, never `update` or the view.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::core::app::{compare_app_versions, find_app_manifests, load_manifest, valid_app_name};
use crate::core::bundle::find_bundles;
use crate::tui::state::version::compare_versions;

/// Manifests read at most: a directory of media dumps should not stall the console.
const MAX_MANIFESTS: usize = 4096;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppCatalog {
    /// The directory was read (the answer came back).
    pub loaded: bool,
    pub dir: PathBuf,
    /// App name → the newest version among its bundles.
    pub newest: BTreeMap<String, String>,
    /// The newest Go release among the Go bundles.
    pub go_release: Option<String>,
    /// App manifests that did not open (named in the view's title count, not fatal).
    pub unreadable: usize,
}

impl AppCatalog {
    pub fn newest(&self, app: &str) -> Option<&str> {
        self.newest.get(app).map(String::as_str)
    }
}

/// Reads `dir`: every app manifest, every Go bundle's version.
pub fn list(dir: &Path) -> AppCatalog {
    let mut catalog = AppCatalog {
        loaded: true,
        dir: dir.to_path_buf(),
        ..AppCatalog::default()
    };
    for path in find_app_manifests(dir, MAX_MANIFESTS) {
        match load_manifest(&path) {
            Ok(m) if valid_app_name(&m.name) && crate::core::app::valid_app_version(&m.version) => {
                let newer = catalog
                    .newest
                    .get(&m.name)
                    .is_none_or(|v| compare_app_versions(&m.version, v) == Ordering::Greater);
                if newer {
                    catalog.newest.insert(m.name, m.version);
                }
            }
            _ => catalog.unreadable += 1,
        }
    }
    catalog.go_release = find_bundles(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|b| b.go_version().to_string())
        .max_by(|a, b| compare_versions(a, b));
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_manifest(dir: &Path, name: &str, version: &str) {
        let text = format!(
            "format_version = 1\nname = \"{name}\"\nversion = \"{version}\"\nos = \"linux\"\n\
             arch = \"amd64\"\ntarball = \"t\"\nsize = 1\nsha256 = \"00\"\nfile_count = 1\n\
             tree_digest = \"00\"\nbinary = \"bin/{name}\"\nfiles = []\nstatic = true\n\
             needed = []\ncreated = \"x\"\nbuilder = \"x\"\n\n[build]\ngo_version = \"go1.22.10\"\n"
        );
        let file = dir.join(format!("{name}-{version}.linux-amd64.offgo-app.toml"));
        std::fs::write(file, text).unwrap();
    }

    #[test]
    fn the_newest_bundle_of_each_app_by_version_order() {
        let dir = tempfile::tempdir().unwrap();
        write_manifest(dir.path(), "svc", "1.9.0");
        write_manifest(dir.path(), "svc", "1.10.0");
        write_manifest(dir.path(), "svc", "1.10.0-rc1");
        write_manifest(dir.path(), "worker", "0.3.0");
        std::fs::write(dir.path().join("broken.offgo-app.toml"), "name = [").unwrap();
        let catalog = list(dir.path());
        assert!(catalog.loaded);
        assert_eq!(catalog.newest("svc"), Some("1.10.0"));
        assert_eq!(catalog.newest("worker"), Some("0.3.0"));
        assert_eq!(catalog.unreadable, 1);
        assert_eq!(catalog.go_release, None, "no Go bundle there");
        let missing = list(&dir.path().join("absent"));
        assert!(missing.loaded && missing.newest.is_empty());
    }
}
