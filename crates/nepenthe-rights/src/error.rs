//! Errors of the rights use cases. Messages carry ids and counts, never personal data.

use nepenthe_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RightsError {
    /// The subject could not be understood (malformed JSON, unknown attribute, missing
    /// TenantId, empty request, bad id, tenant mismatch).
    #[error("{0}")]
    BadSubject(String),
    /// Nothing matched the subject.
    #[error("{0}")]
    NothingMatched(String),
    /// An identification request matched more contacts than allowed.
    #[error("the identification request matches {matched} contacts, more than --max-contacts {max}; several records may belong to one person, or the request is too broad: check them (without --confirm) and raise the limit to proceed. Nothing was changed")]
    TooManyContacts { matched: usize, max: usize },
    /// The operation needs something that is not configured (e.g. the archive source).
    #[error("{0}")]
    Unavailable(String),
    /// Invalid option values (durations, replacements, ranges).
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

impl RightsError {
    /// Exit code at the command line: 2 usage or bad subject, 3 nothing matched, 1 other.
    pub fn exit_code(&self) -> i32 {
        match self {
            RightsError::BadSubject(_)
            | RightsError::TooManyContacts { .. }
            | RightsError::Unavailable(_)
            | RightsError::Usage(_) => 2,
            RightsError::NothingMatched(_) => 3,
            RightsError::Store(_) | RightsError::Io(_) => 1,
        }
    }

    /// True when the request was refused because of its content (not a failure).
    pub fn is_rejection(&self) -> bool {
        self.exit_code() != 1
    }
}

impl From<std::io::Error> for RightsError {
    fn from(e: std::io::Error) -> Self {
        RightsError::Io(format!("I/O error: {e}"))
    }
}

pub type Result<T, E = RightsError> = std::result::Result<T, E>;
