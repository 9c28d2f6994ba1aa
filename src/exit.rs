//! Exit codes (contract, DESIGN.md "Headless CLI"), shared by both faces and the demo.

/// Every selected host succeeded.
pub const EXIT_OK: u8 = 0;
/// At least one host failed.
pub const EXIT_HOST_FAILED: u8 = 1;
/// Usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
