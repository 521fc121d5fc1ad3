//! The web frontend, embedded in the binary at build time (`frontend/dist`,
//! built by `npm run build`): one process serves everything, no CDN. Paths
//! that are not files get `index.html`, so links like `/#code=…` and reloads
//! work. Hashed assets are cached for a year; `index.html` never.

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

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let file = Assets::get(path).filter(|_| !path.is_empty());
    // Missing assets and API-looking paths are 404s, never the app.
    if file.is_none() && (path.starts_with("api/") || path.starts_with("assets/")) {
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
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        file.data,
    )
        .into_response()
}
