//! Security headers on every response of the web app and the API: the
//! frontend loads only its own scripts, styles, images, service worker and
//! manifests, cannot be framed, and leaks no referrer; browsers take each
//! content type as given.

use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HeaderName, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::Response;

/// What the frontend (`frontend/dist`) needs and nothing more:
/// - `connect-src ws: wss:`: the websocket, over http (`ws:`) or behind
///   HTTPS (`wss:`) (`'self'` covers `/api` and the service worker's
///   fetches; older browsers do not match `ws:` against `'self'`);
/// - `worker-src 'self'`: the service worker, `/sw.js` only from this
///   origin (no blob: or data: workers);
/// - `manifest-src 'self'`: the web app manifests (`/manifests/…`);
/// - `img-src 'self' data:`: the icons (`/icons/…`) and any small image
///   the build inlines (QR codes are inline SVG);
/// - `style-src 'unsafe-inline'`: Preact sets `style` attributes (a few
///   layout tweaks); no inline `<style>` or script is used;
/// - no blobs, eval or third-party origins.
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; connect-src 'self' ws: wss:; \
img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const HEADERS: [(HeaderName, &str); 4] = [
    (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
    (X_FRAME_OPTIONS, "DENY"),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (REFERRER_POLICY, "no-referrer"),
];

/// Adds the headers a handler did not set itself (`axum::middleware::map_response`).
pub(crate) async fn security(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::header::CACHE_CONTROL;

    /// The policy's directives, name → sources.
    fn directives() -> Vec<(String, Vec<String>)> {
        CONTENT_SECURITY_POLICY_VALUE
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                let mut parts = d.split_whitespace().map(str::to_owned);
                let name = parts.next().unwrap_or_default();
                (name, parts.collect())
            })
            .collect()
    }

    fn sources(name: &str) -> Vec<String> {
        directives()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} in {CONTENT_SECURITY_POLICY_VALUE}"))
            .1
    }

    #[test]
    fn the_service_worker_and_the_manifests_come_from_this_origin_only() {
        assert_eq!(sources("worker-src"), ["'self'"]);
        assert_eq!(sources("manifest-src"), ["'self'"]);
    }

    #[test]
    fn the_websocket_may_use_ws_and_wss() {
        assert_eq!(sources("connect-src"), ["'self'", "ws:", "wss:"]);
    }

    #[test]
    fn scripts_come_from_this_origin_only_and_nothing_frames_the_app() {
        assert_eq!(sources("default-src"), ["'self'"]);
        assert_eq!(sources("script-src"), ["'self'"]);
        assert_eq!(sources("object-src"), ["'none'"]);
        assert_eq!(sources("frame-ancestors"), ["'none'"]);
        assert_eq!(sources("base-uri"), ["'none'"]);
        let names: Vec<String> = directives().into_iter().map(|(n, _)| n).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a directive twice: {names:?}");
    }

    #[tokio::test]
    async fn every_header_is_added_and_a_handler_s_own_is_kept() {
        let mut response = Response::new(Body::empty());
        response
            .headers_mut()
            .insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        let response = security(response).await;
        let headers = response.headers();
        assert_eq!(
            headers[CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY_VALUE
        );
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[REFERRER_POLICY], "same-origin");
        assert_eq!(headers[CACHE_CONTROL], "no-cache");
    }
}
