//! Security headers on every response of the web app and the API: the
//! frontend loads only its own scripts, styles and images, cannot be framed,
//! and leaks no referrer; browsers take each content type as given.

use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HeaderName, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::Response;

/// What the frontend (`frontend/dist`) needs and nothing more:
/// - `connect-src ws: wss:`: the websocket (`'self'` covers `/api`; older
///   browsers do not match `ws:` against `'self'`);
/// - `img-src data:`: the favicon is `data:,` (QR codes are inline SVG);
/// - `style-src 'unsafe-inline'`: Preact sets `style` attributes (a few
///   layout tweaks); no inline `<style>` or script is used;
/// - no workers, blobs, eval or third-party origins.
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; connect-src 'self' ws: wss:; \
img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; \
base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

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
