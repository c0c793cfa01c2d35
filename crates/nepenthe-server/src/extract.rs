//! Extractors that answer in our error shape instead of the framework's plain-text rejections.

use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use nepenthe_core::{Actor, Role, TenantId};
use serde::de::DeserializeOwned;

/// A JSON body. Malformed JSON answers 400; well-formed JSON of the wrong shape (wrong type,
/// unknown field, missing field, invalid id) answers 422; a body over the limit answers 413.
/// The `Content-Type` header is not checked: clients that forget it still get a clear answer.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(state.config.body_limit_bytes)
            } else {
                ApiError::bad_request("could not read the request body")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON document into `T`, with errors in our shape.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let unknown_field = e.inner().to_string().starts_with("unknown field");
        // serde_json reports some type mismatches (a number where an enum belongs) as syntax
        // errors; a document that parses on its own is well-formed, so those are 422 too.
        let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        json_error(
            &describe_path(e.path(), unknown_field),
            e.inner(),
            well_formed,
        )
    })?;
    de.end().map_err(|e| json_error("", &e, false))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error, well_formed: bool) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof if well_formed => {
            if path.is_empty() {
                ApiError::unprocessable("wrong type")
            } else {
                ApiError::unprocessable(format!("{path}: wrong type"))
            }
        }
        Category::Syntax | Category::Eof | Category::Io => {
            let at = if e.line() > 0 {
                format!(" at line {} column {}", e.line(), e.column())
            } else {
                String::new()
            };
            ApiError::bad_request(format!("request body is not valid JSON{at}"))
        }
        Category::Data => {
            let message = describe_data_error(&e.to_string());
            if path.is_empty() || path == "." {
                ApiError::unprocessable(message)
            } else {
                ApiError::unprocessable(format!("{path}: {message}"))
            }
        }
    }
}

fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The JSON path of an error (`participants[0].purpose`). Map keys chosen by the caller are
/// shown only when they look like field names; for an unknown field the last segment is the
/// unknown key itself and is left out (the message names it when that is harmless).
fn describe_path(path: &serde_path_to_error::Path, unknown_field: bool) -> String {
    use serde_path_to_error::Segment;
    let mut segments: Vec<&Segment> = path.iter().collect();
    if unknown_field {
        segments.pop();
    }
    let mut out = String::new();
    for seg in segments {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if safe_name(key) { key } else { "?" });
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    out
}

/// Rewrites a serde data error so it names the field and what was expected, never the
/// submitted value (serde's own messages quote it: `invalid type: string "jane@x.org"`).
pub fn describe_data_error(raw: &str) -> String {
    let msg = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw,
    };
    let expected = |m: &str| {
        m.find(", expected ")
            .map(|i| m[i + ", expected ".len()..].to_owned())
    };
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let safe = safe_name(name);
        let tail = tail.trim_start_matches(',').trim();
        let mut out = if safe {
            format!("unknown field `{name}`")
        } else {
            "unknown field".to_owned()
        };
        if !tail.is_empty() {
            out.push_str(", ");
            out.push_str(tail);
        }
        return out;
    }
    for (prefix, what) in [
        ("invalid type: ", "wrong type"),
        ("invalid value: ", "invalid value"),
        ("unknown variant `", "unknown value"),
    ] {
        if msg.starts_with(prefix) {
            return match expected(msg) {
                Some(e) => format!("{what}, expected {e}"),
                None => what.to_owned(),
            };
        }
    }
    if msg.starts_with("missing field `")
        || msg.starts_with("duplicate field `")
        || msg.starts_with("invalid length ")
    {
        return msg.to_owned();
    }
    // Everything else comes from our own types (ids, timestamps), whose messages describe the
    // rule, not the value. Keep them short regardless.
    msg.chars().take(200).collect()
}

/// The query string as a map. Handlers read and validate the parameters they know (so
/// every problem gets a precise message) and ignore the rest, as HTTP clients expect.
#[derive(Debug, Clone, Default)]
pub struct Params(pub std::collections::HashMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<std::collections::HashMap<String, String>>::try_from_uri(&parts.uri)
            .map(|q| Params(q.0))
            .map_err(|_| ApiError::bad_request("the query string is not valid"))
    }
}

/// The authenticated caller, put in place by the permission middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub token_id: String,
    pub tenant: TenantId,
    pub role: Role,
}

impl Caller {
    /// The audit-log actor for this caller.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.token_id.clone(),
            role: self.role,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        // Absent only on routes the middleware treats as public, or for methods it does not
        // know (HEAD): fail closed.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The path parameters in order (`/interactions/{id}/participants/{pid}` → `[id, pid]`).
/// A path that cannot be decoded answers 404, like an unknown id.
#[derive(Debug, Clone)]
pub struct PathIds(pub Vec<String>);

impl PathIds {
    pub fn at(&self, i: usize) -> &str {
        self.0.get(i).map(String::as_str).unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<Vec<String>>::from_request_parts(parts, state)
            .await
            .map(|p| PathIds(p.0))
            .map_err(|_| ApiError::not_found("resource"))
    }
}

/// Parses an id from a path segment. An id that cannot exist answers 404 like an unknown one.
pub fn path_id<T: std::str::FromStr>(raw: &str, what: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        flag: bool,
        n: Option<u32>,
        kind: Option<nepenthe_core::MediaType>,
    }

    fn check(body: &str, status: u16, must_contain: &str) {
        let e = parse_json::<T>(body.as_bytes()).unwrap_err();
        assert_eq!(e.status.as_u16(), status, "{body}: {e}");
        assert!(e.message.contains(must_contain), "{body}: {e}");
        assert!(!e.message.contains("secret"), "{body}: {e}");
    }

    #[test]
    fn json_errors_are_ours_and_never_echo_values() {
        check(r#"{"flag": tru"#, 400, "not valid JSON");
        check(r#"{"flag": true} x"#, 400, "not valid JSON");
        check("", 400, "not valid JSON");
        check(
            r#"{"flag": "secret"}"#,
            422,
            "flag: wrong type, expected a boolean",
        );
        check(r#"{"flag": true, "n": -1}"#, 422, "n: invalid value");
        check(
            r#"{"flag": true, "kind": "secret"}"#,
            422,
            "kind: unknown value, expected",
        );
        check(
            r#"{"flag": true, "nickname": 1}"#,
            422,
            "unknown field `nickname`",
        );
        check(
            r#"{"flag": true, "secret value": 1}"#,
            422,
            "unknown field,",
        );
        check(
            r#"{"flag": true, "n": 1, "kind": 5}"#,
            422,
            "kind: wrong type",
        );
        check(r#"{}"#, 422, "missing field `flag`");
        assert!(parse_json::<T>(br#"{"flag": true}"#).is_ok());
    }

    #[test]
    fn unknown_field_names_are_echoed_only_when_harmless() {
        let m =
            describe_data_error("unknown field `secret value`, expected `flag` at line 1 column 9");
        assert!(!m.contains("secret"));
        assert!(m.contains("expected `flag`"));
    }
}
