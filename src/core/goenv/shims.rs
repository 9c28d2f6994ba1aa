//! `go_shims` (any inventory level): extra releases kept callable as `go1.X.Y` on `PATH`, so that
//! `GOTOOLCHAIN=go1.X.Y+path` (or a `toolchain` line of a go.mod) finds a toolchain offline
//! instead of downloading one.

/// Which releases on a host get a `go1.X.Y` shim.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GoShims {
    /// None (the default): offgo's shims are removed.
    #[default]
    Off,
    /// Every release kept under `releases_dir`.
    All,
    /// These releases, when the host has them.
    Only(Vec<String>),
}

impl GoShims {
    /// The helper's `shims` input: empty, `all`, or the versions separated by spaces.
    pub fn input(&self) -> String {
        match self {
            GoShims::Off => String::new(),
            GoShims::All => "all".into(),
            GoShims::Only(versions) => versions.join(" "),
        }
    }
}
