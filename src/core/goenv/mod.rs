//! A host's Go environment: the fleet's policy (`[go_env]`), what a host's active Go says its
//! environment is — as a login shell sees it and as a bare process (a service, a cron job) sees
//! it — and the drift between the two.
//!
//! Both views matter: since Go 1.21 `GOTOOLCHAIN=auto` (the default in `$GOROOT/go.env`) makes
//! `go` download toolchains by itself, and `GOPROXY`/`GOSUMDB` default to public services, so on
//! an air-gapped host a value set only in a login profile still fails every build a service or a
//! CI runner starts.

mod drift;
mod policy;
mod read;
mod shims;

pub use drift::{drift, Drift, View};
pub use policy::{valid_name, value_problem, GoEnvPolicy, PolicyError, REPORTED};
pub use read::{parse_view, GoEnvRead, ViewRead};
pub use shims::GoShims;
