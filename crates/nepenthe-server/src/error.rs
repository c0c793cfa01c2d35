//! One error type for every route, with a stable JSON shape:
//! `{"code": "...", "message": "...", "status": 404}`.
//!
//! Messages are written for the caller and never contain the personal data they sent: a bad
//! e-mail address is reported as `EmailAddress #0: invalid e-mail address`, not by value.
//! Internal errors say only "internal error"; the detail goes to the log, with ids only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nepenthe_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The JSON body of every error response. `status` repeats the HTTP status, as Genesys
/// Cloud's error bodies do, so its SDKs read our errors unchanged.
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: &'a str,
    pub status: u16,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the body or query is not syntactically valid.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no token, or a token that is unknown or revoked.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid bearer token",
        )
    }

    /// 403: the token's role does not allow this route.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404: unknown id, or an id that belongs to another tenant (indistinguishable on purpose).
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 409: duplicate id, legal hold, interactions in progress.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 413: the body is larger than the configured limit.
    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is larger than the limit of {limit} bytes"),
        )
    }

    /// 422: well-formed JSON that does not fit (wrong type, unknown field, invalid value).
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable_entity",
            message,
        )
    }

    /// 500: something went wrong on our side. The caller learns nothing more.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }

    /// 503: a dependency (the database) is not reachable.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
            status: self.status.as_u16(),
        };
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        // Store messages for client errors name ids and counts only (see nepenthe-store);
        // everything else is logged here and hidden from the caller.
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(m) => ApiError::conflict(m),
            StoreError::Invalid(m) => ApiError::unprocessable(m),
            // A record that fails authentication (wrong key, truncated or tampered data) is
            // named by its table and id — never its content — so an operator can find it.
            StoreError::Crypto { record, source } => {
                tracing::error!(%record, error = %source, "integrity check failed");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "integrity_error",
                    message: format!("stored record {record} failed its integrity check"),
                }
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl From<nepenthe_core::ContactError> for ApiError {
    fn from(e: nepenthe_core::ContactError) -> ApiError {
        // `ContactError` messages carry the field and index, never the value.
        ApiError::unprocessable(e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_statuses() {
        let cases = [
            (StoreError::NotFound("contact"), 404, "contact not found"),
            (StoreError::Conflict("dup".into()), 409, "dup"),
            (StoreError::Invalid("bad cursor".into()), 422, "bad cursor"),
            (StoreError::BadUrl, 500, "internal error"),
        ];
        for (e, status, message) in cases {
            let a = ApiError::from(e);
            assert_eq!(a.status.as_u16(), status);
            assert_eq!(a.message, message);
        }
    }
}
