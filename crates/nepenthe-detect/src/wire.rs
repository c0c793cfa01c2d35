//! JSON wire types shared by `nepenthe scan` (JSONL) and `POST /api/v1/scan`.
//!
//! In: `{"id": ..., "text": "...", "contact": {"FirstName": ..., ...}}`.
//! Out: `{"id": ..., "spans": [{"start", "end", "bstart", "bend", "type", "score"}]}`,
//! plus `"explanation"` per span when asked for and `"text"` (redacted) when a
//! redaction operator is given.

use crate::{
    redact, Detector, EntitySet, EntityType, KnownContact, RedactOperator, Span, UnknownEntityType,
};
use serde::{Deserialize, Serialize};

/// Scores below this are not reported unless the caller asks for them.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// One input document.
#[derive(Clone, Deserialize, Serialize)]
pub struct ScanInput {
    /// Echoed back as given (string, number or absent).
    #[serde(default)]
    pub id: serde_json::Value,
    pub text: String,
    #[serde(default)]
    pub contact: Option<KnownContact>,
}

/// `Debug` shows the id and the size, never the text.
impl std::fmt::Debug for ScanInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanInput")
            .field("id", &self.id)
            .field("text_bytes", &self.text.len())
            .field("contact", &self.contact)
            .finish()
    }
}

/// One span on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireSpan {
    pub start: usize,
    pub end: usize,
    pub bstart: usize,
    pub bend: usize,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    pub score: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// One output document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanOutput {
    pub id: serde_json::Value,
    pub spans: Vec<WireSpan>,
    /// The redacted text, when a redaction operator was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What to report and how to redact.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub entities: EntitySet,
    pub min_score: f32,
    pub explain: bool,
    pub redact: Option<RedactOperator>,
    /// When redacting, leave the known contact's own values readable and
    /// redact only other people's (a data subject's copy, GDPR Art. 15(4)).
    pub keep_contact: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            entities: EntitySet::all(),
            min_score: DEFAULT_MIN_SCORE,
            explain: false,
            redact: None,
            keep_contact: false,
        }
    }
}

/// The options as an HTTP query or JSON body carries them; the hash key is
/// never taken from a request but from the server's configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ScanRequestOptions {
    /// Comma-separated types, e.g. `"PERSON,PHONE_NUMBER"`; absent means all.
    pub entities: Option<String>,
    pub min_score: Option<f32>,
    pub explain: bool,
    /// `replace`, `mask`, `hash` or `pseudonym`.
    pub redact: Option<String>,
    pub mask_keep: Option<usize>,
    /// See [`ScanOptions::keep_contact`].
    pub keep_contact: bool,
}

/// An invalid option value; the message names the option, never scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl std::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OptionsError {}

impl From<UnknownEntityType> for OptionsError {
    fn from(e: UnknownEntityType) -> Self {
        OptionsError(e.to_string())
    }
}

/// Builds a redaction operator from its name; `hash_key` is required for `hash`.
pub fn parse_operator(
    name: &str,
    mask_keep: usize,
    hash_key: Option<&[u8]>,
) -> Result<RedactOperator, OptionsError> {
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "replace" => RedactOperator::Replace,
        "mask" => RedactOperator::Mask { keep: mask_keep },
        "pseudonym" | "pseudonymize" | "pseudonymise" => RedactOperator::Pseudonym,
        "hash" => match hash_key {
            Some(k) if !k.is_empty() => RedactOperator::Hash { key: k.to_vec() },
            _ => return Err(OptionsError("redact operator \"hash\" needs a key".into())),
        },
        other => {
            return Err(OptionsError(format!(
                "unknown redact operator {other:?} (expected replace, mask, hash or pseudonym)"
            )))
        }
    })
}

impl ScanRequestOptions {
    pub fn into_options(self, hash_key: Option<&[u8]>) -> Result<ScanOptions, OptionsError> {
        let entities = match self.entities.as_deref() {
            Some(s) if !s.trim().is_empty() => EntitySet::parse_list(s)?,
            _ => EntitySet::all(),
        };
        let min_score = self.min_score.unwrap_or(DEFAULT_MIN_SCORE);
        if !(0.0..=1.0).contains(&min_score) {
            return Err(OptionsError("min_score must be between 0 and 1".into()));
        }
        let redact = match self.redact.as_deref() {
            Some(r) => Some(parse_operator(r, self.mask_keep.unwrap_or(4), hash_key)?),
            None => None,
        };
        Ok(ScanOptions {
            entities,
            min_score,
            explain: self.explain,
            redact,
            keep_contact: self.keep_contact,
        })
    }
}

impl From<&Span> for WireSpan {
    fn from(s: &Span) -> Self {
        WireSpan {
            start: s.start,
            end: s.end,
            bstart: s.bstart,
            bend: s.bend,
            entity_type: s.entity_type,
            score: s.score,
            explanation: None,
        }
    }
}

/// Scans one document and shapes the answer for the wire.
pub fn scan(detector: &Detector, input: &ScanInput, opts: &ScanOptions) -> ScanOutput {
    let spans = detector.detect_with(
        &input.text,
        input.contact.as_ref(),
        opts.entities,
        opts.min_score,
        opts.explain,
    );
    let text = opts.redact.as_ref().map(|op| {
        if opts.keep_contact {
            let others: Vec<Span> = spans.iter().filter(|s| !s.known_contact).cloned().collect();
            redact(&input.text, &others, op)
        } else {
            redact(&input.text, &spans, op)
        }
    });
    // By value: the collection reuses the spans' allocation (a `WireSpan`
    // is no larger than a `Span`).
    let spans = spans
        .into_iter()
        .map(|s| {
            let mut w = WireSpan::from(&s);
            if opts.explain {
                w.explanation = Some(s.explanation.into_owned());
            }
            w
        })
        .collect();
    ScanOutput {
        id: input.id.clone(),
        spans,
        text,
    }
}

/// Parses a known contact from a JSON object (`{"FirstName": ...}`); `None`
/// when the bytes are not such an object.
pub fn contact_from_json(bytes: &[u8]) -> Option<KnownContact> {
    serde_json::from_slice(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d = Detector::new();
        let input: ScanInput = serde_json::from_str(
            r#"{"id":"d1","text":"Hi, it's Zoë Kowalski, zoe.k@example.com","contact":{"FirstName":"Zoë","LastName":"Kowalski"}}"#,
        )
        .unwrap();
        let opts = ScanRequestOptions {
            redact: Some("replace".into()),
            explain: true,
            ..Default::default()
        }
        .into_options(None)
        .unwrap();
        let out = scan(&d, &input, &opts);
        let json = serde_json::to_value(&out).unwrap();
        assert_eq!(json["id"], "d1");
        assert_eq!(json["text"], "Hi, it's <PERSON>, <EMAIL_ADDRESS>");
        assert_eq!(json["spans"][0]["type"], "PERSON");
        assert_eq!(json["spans"][0]["start"], 9);
        assert_eq!(json["spans"][0]["bstart"], 9);
        assert_eq!(json["spans"][0]["end"], 21);
        assert_eq!(json["spans"][0]["bend"], 22);
        assert!(json["spans"][0]["explanation"].is_string());
        assert!(ScanRequestOptions {
            redact: Some("hash".into()),
            ..Default::default()
        }
        .into_options(None)
        .is_err());
        assert!(ScanRequestOptions {
            entities: Some("PERSON,NOPE".into()),
            ..Default::default()
        }
        .into_options(None)
        .is_err());
    }
}
