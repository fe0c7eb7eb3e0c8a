//! mpgen turns a folder of per-country TOML files into a static website of Migration
//! Profiles.
//!
//! One pipeline, in five stages that talk through plain data: **load** reads and parses
//! every input file, keeping byte spans; **check** turns what was read into a validated
//! [`model::Site`], collecting every problem as a [`diagnostics::Diagnostic`]; **plan**
//! lists every output with a fingerprint of exactly what it is made from; **render**
//! makes the bytes of the outputs whose fingerprints changed, in parallel; **write**
//! puts changed files in place atomically and records the fingerprints for next time.
//! [`pipeline`] is the one place that orders the stages. `serve` keeps a
//! [`pipeline::Session`] in memory and runs the same stages again on each change that
//! [`watch`] reports, with fewer files to read and fewer outputs to redo.

pub mod diagnostics;
pub mod diff;
pub mod error;
pub mod import;
pub mod linkcheck;
pub mod load;
pub mod lsp;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod places;
pub mod plan;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod watch;
