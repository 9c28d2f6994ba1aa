//! Go application bundles (DESIGN.md, "Go application bundles"): a statically built Go binary,
//! its configuration and certificates, with the binary's own build info in the manifest and the
//! same trust chain as a Go release bundle (size, sha256, tree digest, signature).

mod binary;
mod build;
mod buildinfo;
mod manifest;

pub use binary::{inspect, BinaryError, GoBinary};
pub use build::{
    build, load_manifest, parse_file_arg, AppBuildError, AppBuildOptions, AppBuildOutput, ExtraFile,
};
pub use buildinfo::{BuildInfo, BuildInfoError};
pub use manifest::FORMAT_VERSION;
pub use manifest::{find_app_manifests, MANIFEST_SUFFIX};
pub use manifest::{AppManifest, BuildSection};
mod installed;
pub use installed::{
    first_line, valid_app_name, valid_app_version, AppLink, AppState, AppStateRead, HealthRead,
    InstalledApp, ManifestRead, MAX_APPS, MAX_HEALTH_OUTPUT,
};
mod report;
pub use report::AppReport;
mod provenance;
pub use provenance::{compare_app_versions, go_version_m};
