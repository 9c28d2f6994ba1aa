//! Module-cache bundles (DESIGN.md, "Module-cache bundles"): a Go module download cache carried
//! across the gap with the same trust chain as a Go release bundle (size, sha256, tree digest,
//! signature), to be served on hosts with `GOPROXY=file://…`.

mod build;
mod manifest;

pub use build::{build, ModcacheBuildOptions, ModcacheBuildOutput, ModcacheError};
pub use manifest::{ModcacheManifest, KIND};
