//! The integration tests: one binary, a module per feature, one fixture harness.

mod build;
mod calls;
mod charts;
mod cli;
mod diff;
mod faults;
mod harness;
mod hostile;
mod import;
mod incremental;
mod invalid;
mod languages;
mod lsp;
mod pages;
mod props;
mod prose;
mod schema;
mod serve;
mod stages;
