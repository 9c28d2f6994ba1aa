//! Property tests for everything that reads bytes offgo did not write itself: probe and script
//! output from hosts, inventories, bundle sidecars and audit logs (issue 9, "What must hold" 9).
//!
//! Two kinds of property per reader: arbitrary input never panics (and fails with a message
//! that says where), and generated valid input round-trips to the values it was made from.
//! Each property has a fixed case budget sized for CI on a small machine (the whole binary runs
//! in well under 30 s); `PROPTEST_CASES=N` overrides every budget for a longer local run.
//! What the engine makes of pre-flight and verify output is private to it: those properties
//! live in src/core/engine/parse_properties.rs. Host ranges and selector arithmetic are checked
//! against a model of the sets they stand for (select.rs).

mod support;

mod audit;
mod bundle;
mod frame;
mod inventory;
mod probe;
mod select;
