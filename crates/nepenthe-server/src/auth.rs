//! Bearer tokens and the permission middleware.
//!
//! Every route in [`crate::routes::ROUTES`] names the permission it needs (or none for the
//! public probes). The middleware runs after routing, looks the matched route up, and only
//! then authenticates and checks the role, so an unauthorised caller learns nothing from
//! body validation and no handler runs without a [`Caller`].

use crate::error::ApiError;
use crate::extract::Caller;
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;
use tokio::time::Instant;

/// Recently authenticated tokens, keyed by the SHA-256 of the secret (the secret itself is
/// not kept). Entries expire after `ttl`, so a revoked token stops working within `ttl`.
pub(crate) struct TokenCache {
    ttl: Duration,
    entries: RwLock<HashMap<[u8; 32], (Caller, Instant)>>,
}

/// Bound on cached tokens; the cache is cleared when it fills (tokens are few in practice).
const MAX_CACHED: usize = 10_000;

impl TokenCache {
    pub(crate) fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    fn key(secret: &str) -> [u8; 32] {
        Sha256::digest(secret.as_bytes()).into()
    }

    pub(crate) fn get(&self, secret: &str) -> Option<Caller> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&Self::key(secret))
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(c, _)| c.clone())
    }

    pub(crate) fn put(&self, secret: &str, caller: Caller) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_CACHED {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
        }
        entries.insert(Self::key(secret), (caller, Instant::now()));
    }
}

/// The token from `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let secret = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    if let Some(c) = state.tokens.get(secret) {
        return Ok(c);
    }
    let info = state
        .store
        .authenticate(secret)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let caller = Caller {
        token_id: info.id,
        tenant: info.tenant_id,
        role: info.role,
    };
    state.tokens.put(secret, caller.clone());
    Ok(caller)
}

/// Route middleware: authenticate, check the route's permission, hand the caller on.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| crate::routes::find(&method, p.as_str()));
    let Some(route) = route else {
        // A method the path does not serve: the router answers 405.
        return next.run(req).await;
    };
    let Some(permission) = route.permission else {
        return next.run(req).await;
    };
    let caller = match authenticate(&state, req.headers()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if !caller.role.allows(permission) {
        return ApiError::forbidden(format!(
            "role {} may not {} {}",
            caller.role, route.method, route.path
        ))
        .into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use nepenthe_core::{Role, TenantId};

    fn caller() -> Caller {
        Caller {
            token_id: "tok_1".into(),
            tenant: TenantId(1),
            role: Role::Agent,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn cached_tokens_expire_after_the_ttl() {
        let cache = TokenCache::new(Duration::from_secs(5));
        assert_eq!(cache.get("s3cret"), None);
        cache.put("s3cret", caller());
        assert_eq!(cache.get("s3cret"), Some(caller()));
        assert_eq!(cache.get("other"), None);
        tokio::time::advance(Duration::from_millis(4_900)).await;
        assert_eq!(cache.get("s3cret"), Some(caller()));
        tokio::time::advance(Duration::from_millis(200)).await;
        assert_eq!(cache.get("s3cret"), None, "expired entries are not served");
    }

    #[tokio::test]
    async fn zero_ttl_disables_the_cache() {
        let cache = TokenCache::new(Duration::ZERO);
        cache.put("s3cret", caller());
        assert_eq!(cache.get("s3cret"), None);
    }

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        for (value, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("Bearer", None),
        ] {
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer(&h), want, "{value}");
        }
    }
}
