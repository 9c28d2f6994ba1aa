//! The fleet `offgo-tui demo` opens on: eight hosts in the states an operator meets on a real
//! change day.

use super::spec::{FleetSpec, HostSpec};

impl FleetSpec {
    /// The host whose audit log the demo replaces with a tampered one. The fleet knows nothing
    /// of the audit format, so the caller builds the bytes (a valid chain with one line edited)
    /// and sets them with `spec.host_mut(FleetSpec::DEMO_TAMPERED_HOST)`.
    pub const DEMO_TAMPERED_HOST: &'static str = "db-02";

    /// Eight hosts: hand-installed Go 1.21.13 and 1.22.10, one managed by offgo (1.22.10 after
    /// 1.21.13), one without Go, one with a binary missing a `.so`, one stopped, and
    /// [`Self::DEMO_TAMPERED_HOST`] waiting for a tampered audit log.
    pub fn demo() -> Self {
        FleetSpec::new()
            .host(HostSpec::new("web-01").group("web").go_manual("1.21.13"))
            .host(HostSpec::new("web-02").group("web").go_manual("1.21.13"))
            .host(HostSpec::new("web-03").group("web").go_manual("1.22.10"))
            .host(
                HostSpec::new("web-04")
                    .group("web")
                    .go_manual("1.21.13")
                    .stopped(),
            )
            .host(
                HostSpec::new("db-01")
                    .group("db")
                    .go_managed_after("1.22.10", "1.21.13"),
            )
            .host(
                HostSpec::new(Self::DEMO_TAMPERED_HOST)
                    .group("db")
                    .go_manual("1.22.10"),
            )
            .host(HostSpec::new("db-03").group("db"))
            .host(
                HostSpec::new("build-01")
                    .group("build")
                    .go_manual("1.21.13")
                    .ldd_gap(),
            )
    }
}
