//! The web frontend, embedded in the binary at build time (`frontend/dist`,
//! built by `npm run build`): one process serves everything, no CDN. Paths
//! that are not files get `index.html`, so links like `/#code=…`, the
//! installed apps' start URLs (`/chair`, `/screen`…) and reloads work.
//!
//! Caching: hashed assets (`/assets/…`) are cached for a year; everything
//! else — `index.html`, the service worker `/sw.js`, the web app manifests
//! and the icons — is revalidated on every use (`no-cache`): a new binary's
//! worker must be seen at once, as it is what replaces the old app in the
//! browsers' caches (`frontend/src/sw/`).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../../frontend/dist/"]
#[allow_missing = true]
// Vite's manifest only serves the size report; it is not part of the app.
#[exclude = ".vite/*"]
struct Assets;

/// Whether the frontend was built into this binary.
pub fn available() -> bool {
    Assets::get("index.html").is_some()
}

/// Paths that are files or nothing: a missing one is a 404, never the app
/// (the app as a service worker or a manifest would only confuse a browser).
const FILES_ONLY: [&str; 5] = ["api/", "assets/", "icons/", "manifests/", "sw.js"];

/// The `Content-Type` and `Cache-Control` of an embedded file.
fn headers_for(name: &str, guessed: &str) -> (String, &'static str) {
    let content_type = if name.ends_with(".webmanifest") {
        "application/manifest+json".to_owned()
    } else if name.ends_with(".js") {
        // A service worker must come as JavaScript (mime_guess agrees; said
        // here so that it never depends on it).
        "text/javascript; charset=utf-8".to_owned()
    } else {
        guessed.to_owned()
    };
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (content_type, cache)
}

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let file = Assets::get(path).filter(|_| !path.is_empty());
    if file.is_none() && FILES_ONLY.iter().any(|prefix| path.starts_with(prefix)) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let (name, file) = match file {
        Some(file) => (path, file),
        None => match Assets::get("index.html") {
            Some(index) => ("index.html", index),
            None => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "The web frontend is not built into this binary: run ./scripts/demo (or `npm ci && npm run build` in frontend/, then rebuild).",
                )
                    .into_response();
            }
        },
    };
    let (content_type, cache) = headers_for(name, file.metadata.mimetype());
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        file.data,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_worker_is_javascript_and_always_revalidated() {
        let (content_type, cache) = headers_for("sw.js", "application/javascript");
        assert_eq!(content_type, "text/javascript; charset=utf-8");
        assert_eq!(cache, "no-cache");
    }

    #[test]
    fn manifests_are_web_app_manifests() {
        let (content_type, cache) =
            headers_for("manifests/chair.webmanifest", "application/octet-stream");
        assert_eq!(content_type, "application/manifest+json");
        assert_eq!(cache, "no-cache");
    }

    #[test]
    fn hashed_assets_are_immutable_and_the_rest_is_revalidated() {
        assert_eq!(
            headers_for("assets/index-Ck2vE5Qm.js", "text/javascript").1,
            "public, max-age=31536000, immutable"
        );
        for name in ["index.html", "icons/plenary-192.png"] {
            assert_eq!(headers_for(name, "x/y").1, "no-cache", "{name}");
        }
        assert_eq!(
            headers_for("icons/plenary-192.png", "image/png").0,
            "image/png"
        );
    }

    #[tokio::test]
    async fn missing_worker_manifest_or_icon_is_a_404_not_the_app() {
        for path in [
            "/sw.js.map",
            "/manifests/nobody.webmanifest",
            "/icons/none.png",
            "/assets/none.js",
        ] {
            let response = serve(path.parse().unwrap()).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[tokio::test]
    async fn the_built_worker_and_manifests_are_served_with_their_types() {
        if !available() {
            return; // the frontend is not built: nothing embedded to check
        }
        let response = serve("/sw.js".parse().unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        for app in [
            "chair",
            "secretariat",
            "delegation",
            "technician",
            "booth",
            "screen",
        ] {
            let response = serve(format!("/manifests/{app}.webmanifest").parse().unwrap()).await;
            assert_eq!(response.status(), StatusCode::OK, "{app}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "application/manifest+json",
                "{app}"
            );
        }
        // An installed app's start URL opens the app.
        let response = serve("/chair".parse().unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}
