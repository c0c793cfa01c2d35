//! The OpenAPI 3.0 document, built from the route table so every route is described, with
//! hand-written schemas for the wire types in [`crate::dto`].

use crate::routes::{Op, Route, ROUTES};
use serde_json::{json, Map, Value};

fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn json_body(s: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": s}}})
}

fn json_response(description: &str, s: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": s}}})
}

fn query(name: &str, description: &str, s: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": s})
}

fn page_params() -> Vec<Value> {
    vec![
        query(
            "page_size",
            "Items per page, 1 to 1000 (default 50)",
            json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        ),
        query(
            "cursor",
            "The next_cursor of the previous page",
            json!({"type": "string"}),
        ),
    ]
}

/// (request body schema, query parameters, success status, success response) per operation.
fn operation_shape(op: Op) -> (Option<Value>, Vec<Value>, &'static str, Value) {
    let ok = |s: &str| json_response("OK", schema(s));
    match op {
        Op::Healthz | Op::Readyz => (None, vec![], "200", ok("Status")),
        Op::Metrics => (
            None,
            vec![],
            "200",
            json!({"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}),
        ),
        Op::OpenApi => (
            None,
            vec![],
            "200",
            json_response("This document", json!({"type": "object"})),
        ),
        Op::CreateContact => (
            Some(schema("ContactInput")),
            vec![],
            "201",
            json_response("Created", schema("Contact")),
        ),
        Op::ListContacts => (None, page_params(), "200", ok("ContactPage")),
        Op::GetContact => (None, vec![], "200", ok("Contact")),
        Op::PatchContact => (Some(schema("ContactPatch")), vec![], "200", ok("Contact")),
        Op::PutContact => (Some(schema("ContactInput")), vec![], "200", ok("Contact")),
        Op::EraseContact => (
            None,
            vec![
                query(
                    "stop_in_progress",
                    "Stop interactions in progress instead of refusing with 409",
                    json!({"type": "boolean"}),
                ),
                query(
                    "request_id",
                    "Privacy request this erasure answers (recorded in the receipt)",
                    json!({"type": "string", "maxLength": 64}),
                ),
            ],
            "200",
            ok("Erasure"),
        ),
        Op::IdentifyContacts => (
            Some(schema("IdentifyRequest")),
            vec![],
            "200",
            ok("IdentifyResponse"),
        ),
        Op::CreateInteraction => (
            Some(schema("InteractionInput")),
            vec![],
            "201",
            json_response("Created", schema("Interaction")),
        ),
        Op::ListInteractions => {
            let mut params = vec![
                query("contact_id", "Only this contact's interactions", json!({"type": "string"})),
                query("status", "Only this status", schema("InteractionStatus")),
                query("media_type", "Only this media type", schema("MediaType")),
                query(
                    "from",
                    "Created at or after (RFC 3339)",
                    json!({"type": "string", "format": "date-time"}),
                ),
                query(
                    "to",
                    "Created before (RFC 3339)",
                    json!({"type": "string", "format": "date-time"}),
                ),
            ];
            params.extend(page_params());
            (None, params, "200", ok("InteractionPage"))
        }
        Op::GetInteraction | Op::EndInteraction => (None, vec![], "200", ok("Interaction")),
        Op::PatchInteraction => (
            Some(schema("InteractionPatch")),
            vec![],
            "200",
            ok("Interaction"),
        ),
        Op::DeleteInteraction => (None, vec![], "204", json!({"description": "Deleted"})),
        Op::AddParticipant => (
            Some(schema("ParticipantInput")),
            vec![],
            "201",
            json_response("Created", schema("Participant")),
        ),
        Op::ConnectParticipant | Op::DisconnectParticipant => {
            (None, vec![], "200", ok("Participant"))
        }
        Op::AddAttachment => (
            Some(schema("AttachmentInput")),
            vec![],
            "201",
            json_response("Created", schema("Attachment")),
        ),
        Op::GetAttachment => (
            None,
            vec![],
            "200",
            json!({"description": "The content, with the attachment's MIME type", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}),
        ),
        Op::ListAudit => (
            None,
            vec![
                query(
                    "page_size",
                    "Records per page, 1 to 1000",
                    json!({"type": "integer"}),
                ),
                query(
                    "before",
                    "Only records with a smaller sequence number (next_before of the previous page)",
                    json!({"type": "integer"}),
                ),
            ],
            "200",
            ok("AuditPage"),
        ),
        Op::ListReceipts => (
            None,
            vec![query(
                "contact_id",
                "Only this contact's receipts",
                json!({"type": "string"}),
            )],
            "200",
            ok("Receipts"),
        ),
        Op::Scan => (
            Some(json!({"oneOf": [schema("ScanInput"), {"type": "array", "items": schema("ScanInput")}]})),
            vec![
                query("entities", "Comma-separated entity types (default all)", json!({"type": "string"})),
                query("min_score", "Lowest score reported, 0 to 1 (default 0.5)", json!({"type": "number"})),
                query("explain", "Explain each span", json!({"type": "boolean"})),
                query("redact", "replace, mask, hash or pseudonym", json!({"type": "string"})),
                query("mask_keep", "Characters kept by mask", json!({"type": "integer"})),
                query("keep_contact", "Leave the known contact's own values unredacted", json!({"type": "boolean"})),
            ],
            "200",
            json_response(
                "One output per input document",
                json!({"oneOf": [schema("ScanOutput"), {"type": "array", "items": schema("ScanOutput")}]}),
            ),
        ),
        Op::GenesysPatchCallAttributes | Op::GenesysPatchAttributes => (
            Some(schema("AttributesPatch")),
            vec![],
            "200",
            ok("Attributes"),
        ),
        Op::GenesysGetConversation | Op::GenesysGetCall => {
            (None, vec![], "200", ok("Conversation"))
        }
        Op::CreatePrivacyRequest => (
            Some(schema("PrivacyRequestInput")),
            vec![],
            "201",
            json_response("Recorded and run; the request in its final state", schema("PrivacyRequest")),
        ),
        Op::ListPrivacyRequests => (
            None,
            vec![
                query("status", "received, in_progress, completed, rejected or failed", json!({"type": "string"})),
                query("overdue", "Only requests past their due date and not finished", json!({"type": "boolean"})),
                query("page_size", "Requests per page, 1 to 1000", json!({"type": "integer"})),
            ],
            "200",
            ok("PrivacyRequestPage"),
        ),
        Op::GetPrivacyRequest => (None, vec![], "200", ok("PrivacyRequest")),
        Op::DownloadPrivacyExport => (
            None,
            vec![],
            "200",
            json_response(
                "The export bundle: every contact with its interactions (attachments inlined as base64) and unlinked interactions, from all data sources",
                json!({"type": "object"}),
            ),
        ),
    }
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn operation(route: &Route) -> Value {
    let (body, mut params, status, success) = operation_shape(route.op);
    let mut params_all = path_params(route.path);
    params_all.append(&mut params);
    let mut responses = Map::new();
    responses.insert(status.into(), success);
    let error = |d: &str| json_response(d, schema("Error"));
    if route.permission.is_some() {
        responses.insert("401".into(), error("Missing or invalid bearer token"));
        responses.insert(
            "403".into(),
            error("The token's role may not use this route"),
        );
    }
    if route.path.contains('{') {
        responses.insert(
            "404".into(),
            error("Unknown id (or an id of another tenant)"),
        );
    }
    if body.is_some() {
        responses.insert("400".into(), error("Malformed JSON"));
        responses.insert("413".into(), error("Body larger than the limit"));
        responses.insert(
            "422".into(),
            error("Wrong type, unknown field or invalid value"),
        );
    }
    if matches!(
        route.op,
        Op::CreateContact
            | Op::EraseContact
            | Op::CreateInteraction
            | Op::AddParticipant
            | Op::ConnectParticipant
            | Op::DisconnectParticipant
            | Op::AddAttachment
    ) {
        responses.insert(
            "409".into(),
            error("Duplicate id, legal hold, or interaction state"),
        );
    }
    if matches!(
        route.op,
        Op::ListContacts | Op::ListInteractions | Op::ListAudit | Op::ListReceipts
    ) {
        responses.insert("422".into(), error("Invalid query parameter"));
    }
    if route.op == Op::Readyz {
        responses.insert("503".into(), error("Database not reachable"));
    }
    responses.insert("500".into(), error("Internal error"));
    let mut op = json!({
        "operationId": format!("{:?}", route.op),
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": params_all,
        "responses": responses,
    });
    if let Some(b) = body {
        op["requestBody"] = json_body(b);
    }
    match route.permission {
        None => op["security"] = json!([]),
        Some(p) => {
            op["x-permission"] = json!(format!("{p:?}"));
            let roles: Vec<&str> = nepenthe_core::Role::ALL
                .iter()
                .filter(|r| r.allows(p))
                .map(|r| r.as_str())
                .collect();
            op["x-roles"] = json!(roles);
        }
    }
    op
}

fn string_map() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string"}})
}

fn nullable_string_map() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string", "nullable": true}})
}

fn enumeration(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

fn schemas() -> Value {
    let ts =
        json!({"type": "string", "format": "date-time", "example": "2026-01-31T09:30:00.000Z"});
    let ts_null = json!({"type": "string", "format": "date-time", "nullable": true});
    let s = json!({"type": "string"});
    let s_null = json!({"type": "string", "nullable": true});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let media: Vec<&str> = nepenthe_core::MediaType::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let direction: Vec<&str> = nepenthe_core::Direction::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let status: Vec<&str> = nepenthe_core::InteractionStatus::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let purpose: Vec<&str> = nepenthe_core::Purpose::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let pstate: Vec<&str> = nepenthe_core::ParticipantState::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    json!({
        "Error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "example": "unprocessable_entity"},
            "message": {"type": "string", "example": "EmailAddress #0: invalid e-mail address"},
            "status": {"type": "integer", "example": 422, "description": "The HTTP status again (as in Genesys Cloud errors)"}}},
        "Status": {"type": "object", "properties": {"status": s}},
        "MediaType": enumeration(&media),
        "Direction": enumeration(&direction),
        "InteractionStatus": enumeration(&status),
        "Purpose": enumeration(&purpose),
        "ParticipantState": enumeration(&pstate),
        "Contact": {"type": "object", "properties": {
            "id": s, "tenant_id": {"type": "integer"}, "first_name": s_null, "last_name": s_null,
            "title": s_null, "emails": strings, "phones": {"type": "array", "items": {"type": "string"}, "description": "E.164"},
            "attributes": string_map(), "legal_hold": {"type": "boolean"},
            "created_at": ts, "modified_at": ts}},
        "ContactInput": {"type": "object", "additionalProperties": false, "properties": {
            "id": {"type": "string", "description": "Optional; generated when absent (1-64 of A-Z a-z 0-9 - _ .)"},
            "first_name": s, "last_name": s, "title": s, "emails": strings,
            "phones": {"type": "array", "items": {"type": "string"}, "description": "International form, or national in the default region"},
            "attributes": string_map(),
            "legal_hold": {"type": "boolean", "description": "Only compliance and admin may change it"}}},
        "ContactPatch": {"type": "object", "additionalProperties": false,
            "description": "Absent fields stay; null clears a name; lists replace; attributes merge (null removes a key)",
            "properties": {
            "first_name": s_null, "last_name": s_null, "title": s_null, "emails": strings, "phones": strings,
            "attributes": nullable_string_map(), "legal_hold": {"type": "boolean"}}},
        "ContactPage": {"type": "object", "properties": {
            "items": {"type": "array", "items": schema("Contact")}, "next_cursor": s_null}},
        "IdentifyRequest": {"type": "object", "required": ["TenantId"],
            "description": "UCS identification request; TenantId must be the token's tenant (otherwise 404). Best-ranked attributes present must all match: ContactId(s) first, then EmailAddress, PhoneNumber, FirstName+LastName, Title, custom attributes.",
            "example": {"TenantId": 101, "EmailAddress": "jane.doe@company.com"},
            "properties": {
            "TenantId": {"type": "integer"}, "EmailAddress": {}, "PhoneNumber": {}, "FirstName": {},
            "LastName": {}, "Title": {}, "ContactId": {}, "ContactIds": {}, "Attributes": {"type": "object"}}},
        "IdentifyResponse": {"type": "object", "properties": {
            "count": {"type": "integer"}, "contacts": {"type": "array", "items": schema("Contact")}}},
        "Erasure": {"type": "object", "properties": {
            "contact_id": s, "interactions": {"type": "integer"}, "attachments": {"type": "integer"},
            "stopped_in_progress": {"type": "integer"}, "digest": s, "erased_at": ts}},
        "Participant": {"type": "object", "properties": {
            "id": s, "purpose": schema("Purpose"), "name": s_null, "user_id": s_null, "queue_id": s_null,
            "state": schema("ParticipantState"), "start_time": ts, "connected_time": ts_null,
            "end_time": ts_null, "attributes": string_map()}},
        "ParticipantInput": {"type": "object", "additionalProperties": false, "properties": {
            "id": s, "purpose": schema("Purpose"), "name": s, "user_id": s, "queue_id": s,
            "state": schema("ParticipantState"), "attributes": string_map()}},
        "Attachment": {"type": "object", "properties": {
            "id": s, "name": s, "mime_type": s, "size": {"type": "integer"}, "sha256": s}},
        "AttachmentInput": {"type": "object", "additionalProperties": false,
            "required": ["name", "mime_type", "content_base64"], "properties": {
            "id": s, "name": s, "mime_type": s, "content_base64": {"type": "string", "format": "byte"}}},
        "Interaction": {"type": "object", "properties": {
            "id": s, "tenant_id": {"type": "integer"}, "contact_id": s_null,
            "media_type": schema("MediaType"), "direction": schema("Direction"), "status": schema("InteractionStatus"),
            "subject": s_null, "text": s_null, "thread_id": s_null, "queue": s_null,
            "created_at": ts, "started_at": ts_null, "ended_at": ts_null,
            "participants": {"type": "array", "items": schema("Participant")},
            "attachments": {"type": "array", "items": schema("Attachment")}}},
        "InteractionInput": {"type": "object", "additionalProperties": false, "properties": {
            "id": s, "contact_id": s, "media_type": schema("MediaType"), "direction": schema("Direction"),
            "status": schema("InteractionStatus"), "subject": s, "text": s, "thread_id": s, "queue": s,
            "created_at": ts, "started_at": ts, "ended_at": ts,
            "participants": {"type": "array", "items": schema("ParticipantInput")},
            "attachments": {"type": "array", "items": schema("AttachmentInput")}}},
        "InteractionPatch": {"type": "object", "additionalProperties": false,
            "description": "Absent fields stay; null clears (contact_id: null unlinks)", "properties": {
            "contact_id": s_null, "media_type": schema("MediaType"), "direction": schema("Direction"),
            "status": schema("InteractionStatus"), "subject": s_null, "text": s_null, "thread_id": s_null,
            "queue": s_null, "started_at": ts_null, "ended_at": ts_null}},
        "InteractionPage": {"type": "object", "properties": {
            "items": {"type": "array", "items": schema("Interaction")}, "next_cursor": s_null}},
        "AuditPage": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "at": ts, "actor": s, "role": s, "action": s,
                "object_type": s, "object_ids": strings, "details": {"type": "object"}}}},
            "next_before": {"type": "integer", "nullable": true}}},
        "Receipts": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}},
        "PrivacyRequestInput": {"type": "object", "required": ["type", "subject"], "additionalProperties": false, "properties": {
            "id": {"type": "string", "maxLength": 64, "description": "Your id for the request (e.g. a ticket number), unique in the tenant; generated when absent"},
            "type": enumeration(&["export", "erase", "rectify", "count"]),
            "subject": {"description": "A UCS identification request ({\"EmailAddress\": ...}; TenantId defaults to the token's), an array of contact ids, or \"id1,id2\""},
            "confirm": {"type": "boolean", "default": false, "description": "Erase and rectify only report unless true"},
            "replace": {"type": "array", "items": s, "description": "Rectify: 'old=new' replacements"},
            "max_contacts": {"type": "integer", "minimum": 1, "default": 10},
            "stop_in_progress": {"type": "boolean", "default": false}}},
        "PrivacyRequest": {"type": "object", "properties": {
            "id": s, "type": s, "status": enumeration(&["received", "in_progress", "completed", "rejected", "failed"]),
            "confirm": {"type": "boolean"}, "received_at": ts, "due_at": ts, "updated_at": ts, "completed_at": ts_null,
            "overdue": {"type": "boolean"}, "subject_purge_after": ts_null, "subject_purged_at": ts_null,
            "result": {"type": "object", "nullable": true, "description": "Contact ids, counts per data source, receipts; never personal data"},
            "error": s_null, "download": s_null}},
        "PrivacyRequestPage": {"type": "object", "properties": {"items": {"type": "array", "items": schema("PrivacyRequest")}}},
        "ScanInput": {"type": "object", "required": ["text"], "properties": {
            "id": {}, "text": s, "contact": {"type": "object", "description": "The document's known contact (FirstName, EmailAddress, ...)"}}},
        "ScanOutput": {"type": "object", "properties": {
            "id": {}, "spans": {"type": "array", "items": {"type": "object", "properties": {
                "start": {"type": "integer"}, "end": {"type": "integer"}, "bstart": {"type": "integer"},
                "bend": {"type": "integer"}, "type": s, "score": {"type": "number"}, "explanation": s}}},
            "text": {"type": "string", "description": "Redacted text, when redact is given"}}},
        "AttributesPatch": {"type": "object", "required": ["attributes"], "additionalProperties": false,
            "example": {"attributes": {"CustomerName": "******", "Postcode": null}},
            "properties": {"attributes": nullable_string_map()}},
        "Attributes": {"type": "object", "properties": {"attributes": string_map()}},
        "Conversation": {"type": "object", "description": "Genesys Cloud conversation shape", "properties": {
            "id": s, "startTime": ts, "endTime": ts,
            "participants": {"type": "array", "items": {"type": "object", "properties": {
                "id": s, "purpose": s, "name": s, "userId": s, "queueId": s, "startTime": ts,
                "connectedTime": ts, "endTime": ts, "state": s, "attributes": string_map()}}}}},
    })
}

/// The OpenAPI 3.0 document served at `/openapi.json`.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method.to_ascii_lowercase()] = operation(route);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "nepenthe",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Contacts and interactions with personal data encrypted at rest, forgotten on purpose. Every route except the probes and this document needs `Authorization: Bearer <token>`; x-roles lists the roles allowed. Errors are {\"code\", \"message\"} and never echo personal data.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_path_parameters() {
        let doc = openapi();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
            assert!(op.is_object(), "{} {} missing", route.method, route.path);
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                declared.len(),
                route.path.matches('{').count(),
                "{}",
                route.path
            );
        }
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = openapi();
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"][&name].is_object(),
                "dangling $ref {name}"
            );
        }
    }
}
