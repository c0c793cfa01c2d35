//! `POST /api/v1/scan`: finds personal data in free text with `nepenthe-detect`.
//!
//! The body is one document `{"id", "text", "contact"}` or an array of them; options come
//! from the query string (`entities`, `min_score`, `explain`, `redact`, `mask_keep`,
//! `keep_contact`), the same
//! names `nepenthe scan` takes. The `hash` redaction needs a key from the server's
//! configuration and is refused until one is configured. Nothing is stored or audited beyond
//! the document count: the text is not kept.

use super::{audit, query_bool};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, Params};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use nepenthe_detect::wire::{scan as scan_one, ScanInput, ScanOutput, ScanRequestOptions};
use nepenthe_detect::Detector;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Largest number of documents in one request.
const MAX_DOCUMENTS: usize = 1000;

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ScanBody {
    Many(Vec<ScanInput>),
    One(Box<ScanInput>),
}

#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ScanAnswer {
    Many(Vec<ScanOutput>),
    One(Box<ScanOutput>),
}

// Options added to the detector later keep their defaults until they are exposed here.
#[allow(clippy::needless_update)]
fn options(params: &Params) -> ApiResult<ScanRequestOptions> {
    let min_score = match params.get("min_score").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<f32>()
                .map_err(|_| ApiError::unprocessable("min_score must be a number from 0 to 1"))?,
        ),
    };
    let mask_keep = match params.get("mask_keep").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<usize>()
                .map_err(|_| ApiError::unprocessable("mask_keep must be a whole number"))?,
        ),
    };
    Ok(ScanRequestOptions {
        entities: params.get("entities").map(Into::into),
        min_score,
        explain: query_bool("explain", params.get("explain"))?,
        redact: params
            .get("redact")
            .filter(|s| !s.is_empty())
            .map(Into::into),
        mask_keep,
        keep_contact: query_bool("keep_contact", params.get("keep_contact"))?,
        ..ScanRequestOptions::default()
    })
}

pub(crate) async fn scan(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
    ApiJson(body): ApiJson<ScanBody>,
) -> ApiResult<Json<ScanAnswer>> {
    let opts = options(&params)?
        .into_options(None)
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let count = match &body {
        ScanBody::Many(v) => v.len(),
        ScanBody::One(_) => 1,
    };
    if count > MAX_DOCUMENTS {
        return Err(ApiError::unprocessable(format!(
            "at most {MAX_DOCUMENTS} documents per request"
        )));
    }
    let detector = state.detector.clone();
    // Detection is CPU work: keep it off the async workers.
    let answer = tokio::task::spawn_blocking(move || {
        let d = detector.get_or_init(Detector::new);
        match body {
            ScanBody::One(doc) => ScanAnswer::One(Box::new(scan_one(d, &doc, &opts))),
            ScanBody::Many(docs) => {
                ScanAnswer::Many(docs.iter().map(|doc| scan_one(d, doc, &opts)).collect())
            }
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "scan task failed");
        ApiError::internal()
    })?;
    audit(
        &state,
        &caller,
        "text.scan",
        "text",
        vec![],
        json!({"documents": count}),
    )
    .await?;
    Ok(Json(answer))
}
