//! The library's typed errors: failures that are not problems in the site's input
//! (those are `Diagnostic`s) but of the machine or the theme at render time.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Kept as its own variant so `{:#}` shows minijinja's source window.
    #[error("template error while rendering {output}: {source:#}")]
    Template {
        output: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("{0}")]
    Output(String),
    /// A request mpgen will not carry out, such as an output folder that overlaps the
    /// site: a usage error (exit 2), not a failure of the build.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    pub fn is_refusal(&self) -> bool {
        matches!(self, Error::Refused(_))
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
