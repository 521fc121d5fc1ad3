//! The HTTP API: health, readiness, metrics, the state for a role, the
//! same commands as the websocket with the same error codes, the export
//! of the minutes, and the OpenAPI document.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use plenary_tests::{Backend, MEETING, TestApp, on_both_databases};

/// A plain HTTP/1.1 request: status and body.
async fn http(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let (status, _, body) = http_with_head(app, method, path, bearer, body).await;
    (status, body)
}

/// A plain HTTP/1.1 request: status, head (lowercase) and body.
async fn http_with_head(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let authorization = bearer.map(|code| format!("Bearer {code}"));
    raw_http(app, method, path, authorization.as_deref(), body).await
}

/// A plain HTTP/1.1 request with any `Authorization` header.
async fn raw_http(
    app: &TestApp,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        app.addr
    );
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    // Decode a chunked body.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        rest.to_owned()
    };
    (status, head.to_ascii_lowercase(), body)
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn health_readiness_and_metrics(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    assert_eq!(
        http(&app, "GET", "/healthz", None, None).await,
        (200, "ok".to_owned())
    );
    assert_eq!(
        http(&app, "GET", "/readyz", None, None).await,
        (200, "ready".to_owned())
    );
    let chair = app.code("chair");
    let open = r#"{"command": {"type": "open_item", "item": "stocktaking"}}"#;
    assert_eq!(
        http(
            &app,
            "POST",
            &format!("/api/v1/meetings/{MEETING}/commands"),
            Some(&chair),
            Some(open)
        )
        .await
        .0,
        200
    );
    let (status, metrics) = http(&app, "GET", "/metrics", None, None).await;
    assert_eq!(status, 200);
    for name in [
        "plenary_events_committed_total",
        "plenary_commit_seconds",
        "plenary_commands_total",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    app.finish().await;
}

async fn commands_over_http_use_the_websocket_codes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/commands");
    let chair = app.code("chair");
    let hn = app.code("delegation:hn");
    let (status, body) = http(
        &app,
        "POST",
        &path,
        Some(&chair),
        Some(
            r#"{"command_id": "deck-1", "command": {"type": "open_item", "item": "stocktaking"}}"#,
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first = json(&body);
    assert_eq!(first["command_id"], "deck-1");
    // A Stream Deck button pressed twice by a retry: applied once.
    let (_, again) = http(
        &app,
        "POST",
        &path,
        Some(&chair),
        Some(
            r#"{"command_id": "deck-1", "command": {"type": "open_item", "item": "stocktaking"}}"#,
        ),
    )
    .await;
    assert_eq!(json(&again)["seq"], first["seq"]);
    let ask = r#"{"command": {"type": "request_floor", "item": "stocktaking", "delegation": "hn", "kind": "statement"}}"#;
    assert_eq!(http(&app, "POST", &path, Some(&hn), Some(ask)).await.0, 200);
    let (status, body) = http(&app, "POST", &path, Some(&hn), Some(ask)).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (409, "already_requested")
    );
    assert!(json(&body)["messages"]["es"].is_string());
    let (status, body) = http(
        &app,
        "POST",
        &path,
        Some(&hn),
        Some(r#"{"command": {"type": "call_next"}}"#),
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (403, "not_permitted")
    );
    let (status, body) = http(&app, "POST", &path, Some(&chair), Some("{oops")).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (400, "bad_message")
    );
    let (status, body) = http(&app, "POST", &path, Some("AAAA-BBBB-CCCC-DDDD"), Some(ask)).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (401, "invalid_access_code")
    );
    let (status, _) = http(
        &app,
        "POST",
        "/api/v1/meetings/nowhere/commands",
        Some(&chair),
        Some(ask),
    )
    .await;
    assert_eq!(status, 404);
    // The state for a role; the public needs no code here.
    let (status, body) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let state = json(&body);
    assert_eq!(state["role"]["role"], "public");
    assert_eq!(state["state"]["agenda"]["current"], "stocktaking");
    assert!(
        state["state"]["interpretation"]["booths"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    let (_, body) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(json(&body)["role"]["role"], "chair");
    app.finish().await;
}

async fn the_minutes_export_for_the_secretariat(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/commands");
    let chair = app.code("chair");
    for body in [
        r#"{"command": {"type": "open_item", "item": "stocktaking"}}"#,
        r#"{"command": {"type": "insert_speaker", "item": "stocktaking", "delegation": "br", "kind": "statement", "language": "pt"}}"#,
        r#"{"command": {"type": "call_next"}}"#,
        r#"{"command": {"type": "end_speech"}}"#,
    ] {
        assert_eq!(
            http(&app, "POST", &path, Some(&chair), Some(body)).await.0,
            200,
            "{body}"
        );
    }
    let export = format!("/api/v1/meetings/{MEETING}/export");
    let (status, csv) = http(
        &app,
        "GET",
        &format!("{export}?format=csv"),
        Some(&app.code("secretariat")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // In the meeting's main language (Spanish) and its time zone.
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("Id del punto,Punto del orden del día,Id de la delegación,Delegación"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("stocktaking,")
            && lines[1].contains(",br,Brasil,Estado cooperante,Declaración,Portugués,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(",por la presidencia"));
    let (_, md) = http(
        &app,
        "GET",
        &format!("{export}?format=md"),
        Some(&chair),
        None,
    )
    .await;
    assert!(md.contains("## Registro de intervenciones") && md.contains("Brasil"));
    // Another meeting language on request.
    let (_, md) = http(
        &app,
        "GET",
        &format!("{export}?format=md&lang=en"),
        Some(&chair),
        None,
    )
    .await;
    assert!(md.contains("## Speaking log") && md.contains("Brazil"));
    // The printable minutes: one self-contained page with its charts.
    let (status, html) = http(
        &app,
        "GET",
        &format!("{export}?format=html&lang=en"),
        Some(&app.code("secretariat")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script")
    );
    // Not a language of the meeting.
    let (status, body) = http(
        &app,
        "GET",
        &format!("{export}?format=html&lang=fr"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (400, "bad_message")
    );
    let (_, js) = http(
        &app,
        "GET",
        &format!("{export}?format=json"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(json(&js)["speeches"].as_array().unwrap().len(), 1);
    // The capabilities table: a delegation does not export the minutes.
    let (status, body) = http(&app, "GET", &export, Some(&app.code("delegation:hn")), None).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (403, "capability_not_permitted")
    );
    assert!(json(&body)["messages"]["es"].is_string());
    let (status, body) = http(
        &app,
        "GET",
        &format!("{export}?format=pdf"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (400, "bad_message")
    );
    app.finish().await;
}

async fn the_openapi_document_describes_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, body) = http(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let doc = json(&body);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/meetings/{id}",
        "/api/v1/meetings/{id}/commands",
        "/api/v1/meetings/{id}/export",
        "/api/v1/meetings/{id}/buttons/{button}",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Command"].is_object());
    app.finish().await;
}

async fn the_technician_issues_and_revokes_access_codes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/access-codes");
    let tech = app.code("technician");
    let body = r#"{"role": "delegation:br", "label": "Brazil, second desk"}"#;
    let (status, issued) = http(&app, "POST", &path, Some(&tech), Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    let issued = json(&issued);
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(issued["role"], "delegation:br");
    // The new code opens a console as Brazil.
    let client =
        plenary_client::Client::connect(&app.ws_url(), plenary_client::Hello::access_code(&code))
            .await
            .unwrap();
    assert_eq!(
        client.role(),
        &plenary_core::Role::Delegation {
            delegation: "br".into()
        }
    );
    let token = client.token().to_owned();
    client.close().await;
    // Listed without the code.
    let (_, list) = http(&app, "GET", &path, Some(&tech), None).await;
    assert!(list.contains("Brazil, second desk") && !list.contains(&code));
    // A delegation may not manage codes; an unknown role is refused.
    assert_eq!(
        http(&app, "GET", &path, Some(&app.code("delegation:hn")), None)
            .await
            .0,
        403
    );
    assert_eq!(
        http(
            &app,
            "POST",
            &path,
            Some(&tech),
            Some(r#"{"role": "delegation:atlantis"}"#)
        )
        .await
        .0,
        400
    );
    // Revoked: neither the code nor the session token it gave opens anything.
    let id = issued["id"].as_str().unwrap();
    assert_eq!(
        http(&app, "DELETE", &format!("{path}/{id}"), Some(&tech), None)
            .await
            .0,
        204
    );
    assert_eq!(
        http(&app, "DELETE", &format!("{path}/{id}"), Some(&tech), None)
            .await
            .0,
        404
    );
    for hello in [
        plenary_client::Hello::access_code(&code),
        plenary_client::Hello::token(&token),
    ] {
        let err = plenary_client::Client::connect(&app.ws_url(), hello)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("invalid_access_code"), "{err}");
    }
    app.finish().await;
}

async fn an_operator_opens_a_meeting_at_run_time(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.operator_token = Some(plenary_server::config::Secret::new("s3cret"));
    })
    .await
    else {
        return;
    };
    let side_event =
        plenary_tests::REFERENCE.replacen("id = \"san-pedro-sula-2017\"", "id = \"side-event\"", 1);
    let (status, body) = http(&app, "POST", "/api/v1/meetings", None, Some(&side_event)).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (401, "operator_token_required")
    );
    let (status, body) = http(
        &app,
        "POST",
        "/api/v1/meetings",
        Some("wrong"),
        Some(&side_event),
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (401, "invalid_operator_token")
    );
    // An access code is not the operator token.
    let (status, body) = http(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(&app.code("chair")),
        Some(&side_event),
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (401, "invalid_operator_token")
    );
    let broken = side_event.replacen("delegation = \"gt\"", "delegation = \"xx\"", 1);
    let (status, body) = http(
        &app,
        "POST",
        "/api/v1/meetings",
        Some("s3cret"),
        Some(&broken),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("agenda[1].schedule[2].delegation"),
        "{body}"
    );
    let (status, body) = http(
        &app,
        "POST",
        "/api/v1/meetings",
        Some("s3cret"),
        Some(&side_event),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        http(
            &app,
            "POST",
            "/api/v1/meetings",
            Some("s3cret"),
            Some(&side_event)
        )
        .await
        .0,
        409
    );
    let (_, list) = http(&app, "GET", "/api/v1/meetings", None, None).await;
    assert!(list.contains("side-event") && list.contains(MEETING));
    // Its public view works at once.
    let public =
        plenary_client::Client::connect(&app.ws_url(), plenary_client::Hello::public("side-event"))
            .await
            .unwrap();
    assert_eq!(public.meeting().as_str(), "side-event");
    app.finish().await;
}

async fn the_binary_serves_the_web_frontend(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, body) = http(&app, "GET", "/", None, None).await;
    let built = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../frontend/dist/index.html")
        .exists();
    // A debug binary reads the built frontend from disk; a release binary
    // embeds it. Either way, once built it must be served.
    assert_eq!(
        plenary_server::web::available(),
        built,
        "the binary must serve frontend/dist"
    );
    if built {
        assert_eq!(status, 200);
        assert!(
            body.contains("<html") && body.contains("/assets/"),
            "{body}"
        );
        // A link such as /#code=… or a reload of a deep path gets the app.
        assert_eq!(http(&app, "GET", "/chair", None, None).await.0, 200);
        assert_eq!(
            http(&app, "GET", "/.vite/manifest.json", None, None)
                .await
                .1,
            body,
            "the manifest is not served"
        );
    } else {
        assert_eq!(status, 503);
        assert!(body.contains("not built"), "{body}");
    }
    assert_eq!(
        http(&app, "GET", "/assets/missing.js", None, None).await.0,
        404
    );
    assert_eq!(
        http(&app, "GET", "/api/v2/nothing", None, None).await.0,
        404
    );
    app.finish().await;
}

/// The roles of the codes in a listing.
fn listed_roles(body: &str) -> Vec<String> {
    json(body)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap().to_owned())
        .collect()
}

/// The id of the first active code of `role` in a listing.
fn active_id(body: &str, role: &str) -> String {
    json(body)
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == role && c["revoked_at"].is_null())
        .unwrap_or_else(|| panic!("no active {role} code in {body}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn who_manages_which_codes_is_the_core_table(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/access-codes");
    let (chair, secretariat, tech) = (
        app.code("chair"),
        app.code("secretariat"),
        app.code("technician"),
    );
    // The technician cannot mint a chair code, nor a secretariat one.
    for role in ["chair", "secretariat", "technician"] {
        let (status, body) = http(
            &app,
            "POST",
            &path,
            Some(&tech),
            Some(&format!(r#"{{"role": "{role}"}}"#)),
        )
        .await;
        assert_eq!(
            (status, json(&body)["code"].as_str().unwrap()),
            (403, "access_codes_not_permitted"),
            "technician minting {role}: {body}"
        );
        assert!(json(&body)["messages"]["es"].is_string());
    }
    // It lists only the codes of the floor, the booths and the screens.
    let (status, list) = http(&app, "GET", &path, Some(&tech), None).await;
    assert_eq!(status, 200);
    let roles = listed_roles(&list);
    assert!(roles.iter().any(|r| r == "delegation:hn"), "{roles:?}");
    assert!(
        roles.iter().all(|r| r.starts_with("delegation:")
            || r.starts_with("interpreter:")
            || r.starts_with("screen:")),
        "{roles:?}"
    );
    // The chair sees every code; the technician cannot revoke the chair's.
    let (_, all) = http(&app, "GET", &path, Some(&chair), None).await;
    let chair_id = active_id(&all, "chair");
    let secretariat_id = active_id(&all, "secretariat");
    let (status, body) = http(
        &app,
        "DELETE",
        &format!("{path}/{chair_id}"),
        Some(&tech),
        None,
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (403, "access_codes_not_permitted")
    );
    // The secretariat manages all but the chair's.
    let (status, _) = http(
        &app,
        "POST",
        &path,
        Some(&secretariat),
        Some(r#"{"role": "chair"}"#),
    )
    .await;
    assert_eq!(status, 403);
    let (_, list) = http(&app, "GET", &path, Some(&secretariat), None).await;
    assert!(!listed_roles(&list).iter().any(|r| r == "chair"));
    assert!(listed_roles(&list).iter().any(|r| r == "technician"));
    // The chair mints a code of every role.
    let mut second_chair = None;
    for role in [
        "chair",
        "secretariat",
        "technician",
        "delegation:hn",
        "interpreter:booth-es",
        "screen:hall-left",
    ] {
        let (status, body) = http(
            &app,
            "POST",
            &path,
            Some(&chair),
            Some(&format!(r#"{{"role": "{role}", "label": "spare"}}"#)),
        )
        .await;
        assert_eq!(status, 201, "chair minting {role}: {body}");
        assert_eq!(json(&body)["role"], role);
        if role == "chair" {
            second_chair = Some(json(&body));
        }
    }
    let second_chair = second_chair.unwrap();
    // Two chair codes: the chair may drop one, with the first one.
    let (status, _) = http(
        &app,
        "DELETE",
        &format!("{path}/{}", second_chair["id"].as_str().unwrap()),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // The last one stays: nobody but the operator revokes it.
    let (status, body) = http(
        &app,
        "DELETE",
        &format!("{path}/{chair_id}"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (409, "last_chair_code"),
        "{body}"
    );
    let (status, body) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["role"]["role"], "chair");
    // The secretariat revokes its own kind.
    let (status, _) = http(
        &app,
        "DELETE",
        &format!("{path}/{secretariat_id}"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // A role that is not one a code may have.
    let (status, body) = http(
        &app,
        "POST",
        &path,
        Some(&chair),
        Some(r#"{"role": "public"}"#),
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (400, "bad_message")
    );
    app.finish().await;
}

async fn the_operator_token_manages_every_code(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.operator_token = Some(plenary_server::config::Secret::new("s3cret"));
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/access-codes");
    let (status, list) = http(&app, "GET", &path, Some("s3cret"), None).await;
    assert_eq!(status, 200);
    let chair_id = active_id(&list, "chair");
    // Even the chair's last code: the operator may lock the chair out.
    let (status, body) = http(
        &app,
        "DELETE",
        &format!("{path}/{chair_id}"),
        Some("s3cret"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        Some(&app.code("chair")),
        None,
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (401, "invalid_access_code")
    );
    let (status, body) = http(
        &app,
        "POST",
        &path,
        Some("s3cret"),
        Some(r#"{"role": "chair"}"#),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // The operator token is no access code: it runs no command.
    let (status, _) = http(
        &app,
        "POST",
        &format!("/api/v1/meetings/{MEETING}/commands"),
        Some("s3cret"),
        Some(r#"{"command": {"type": "call_next"}}"#),
    )
    .await;
    assert_eq!(status, 401);
    app.finish().await;
}

async fn role_endpoints_without_a_code_are_unauthenticated(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let command = r#"{"command": {"type": "call_next"}}"#;
    let endpoints = [
        (
            "POST",
            format!("/api/v1/meetings/{MEETING}/commands"),
            Some(command),
        ),
        ("GET", format!("/api/v1/meetings/{MEETING}/export"), None),
        (
            "GET",
            format!("/api/v1/meetings/{MEETING}/access-codes"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{MEETING}/access-codes"),
            Some(r#"{"role": "chair"}"#),
        ),
        (
            "DELETE",
            format!("/api/v1/meetings/{MEETING}/access-codes/some-id"),
            None,
        ),
    ];
    for (method, path, body) in &endpoints {
        for authorization in [
            None,
            Some("Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
            Some("Bearer "),
        ] {
            let (status, head, answer) = raw_http(&app, method, path, authorization, *body).await;
            assert_eq!(
                (status, json(&answer)["code"].as_str().unwrap()),
                (401, "unauthenticated"),
                "{method} {path} with {authorization:?}: {answer}"
            );
            assert!(head.contains("www-authenticate: bearer"), "{head}");
        }
    }
    // The meeting's public view needs none, where the meeting allows it.
    let (status, body) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["role"]["role"], "public");
    // No operator token configured: nobody opens meetings at run time.
    let (status, body) = http(
        &app,
        "POST",
        "/api/v1/meetings",
        Some("anything"),
        Some(plenary_tests::REFERENCE),
    )
    .await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (403, "operator_disabled")
    );
    app.finish().await;
}

async fn wrong_codes_are_throttled_per_address(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.operator_token = Some(plenary_server::config::Secret::new("s3cret"));
    })
    .await
    else {
        return;
    };
    let state = format!("/api/v1/meetings/{MEETING}");
    // A person mistyping is not slowed: right codes spend nothing.
    for _ in 0..30 {
        assert_eq!(
            http(&app, "GET", &state, Some(&app.code("chair")), None)
                .await
                .0,
            200
        );
    }
    // Twenty wrong codes (and wrong operator tokens count too) are answered…
    for n in 0..20 {
        let (status, body) = if n % 5 == 4 {
            http(&app, "POST", "/api/v1/meetings", Some("guess"), Some("x")).await
        } else {
            http(
                &app,
                "GET",
                &state,
                Some(&format!("AAAA-BBBB-CCCC-{n:04}")),
                None,
            )
            .await
        };
        assert_eq!(status, 401, "attempt {n}: {body}");
    }
    // …then this address waits, even with a right code, on every endpoint.
    for (method, path, code) in [
        ("GET", state.clone(), "AAAA-BBBB-CCCC-9999".to_owned()),
        ("GET", state.clone(), app.code("chair")),
        ("POST", format!("{state}/commands"), app.code("chair")),
        ("POST", "/api/v1/meetings".to_owned(), "s3cret".to_owned()),
    ] {
        let (status, head, body) =
            http_with_head(&app, method, &path, Some(&code), Some("{}")).await;
        assert_eq!(
            (status, json(&body)["code"].as_str().unwrap()),
            (429, "too_many_attempts"),
            "{method} {path}: {body}"
        );
        let retry: u64 = head
            .lines()
            .find_map(|l| l.strip_prefix("retry-after: "))
            .unwrap_or_else(|| panic!("no Retry-After: {head}"))
            .trim()
            .parse()
            .unwrap();
        assert!((1..=6).contains(&retry), "Retry-After {retry}");
        assert!(json(&body)["messages"]["es"].is_string());
    }
    // Without a credential there is nothing to guess: the public still reads.
    assert_eq!(http(&app, "GET", &state, None, None).await.0, 200);
    app.finish().await;
}

async fn rest_commands_are_rate_limited_per_code(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.commands_per_second = 1;
        c.command_burst = 3;
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/meetings/{MEETING}/commands");
    let open = r#"{"command": {"type": "open_item", "item": "stocktaking"}}"#;
    let chair = app.code("chair");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(http(&app, "POST", &path, Some(&chair), Some(open)).await.0);
    }
    // Accepted, then refused by the rules (already current), then limited.
    assert_eq!(statuses, [200, 409, 409, 429]);
    let (status, head, body) = http_with_head(&app, "POST", &path, Some(&chair), Some(open)).await;
    assert_eq!(
        (status, json(&body)["code"].as_str().unwrap()),
        (429, "rate_limited")
    );
    assert!(head.contains("retry-after: 1"), "{head}");
    // Another code has its own allowance.
    let ask = r#"{"command": {"type": "request_floor", "item": "stocktaking", "delegation": "hn", "kind": "statement"}}"#;
    assert_eq!(
        http(
            &app,
            "POST",
            &path,
            Some(&app.code("delegation:hn")),
            Some(ask)
        )
        .await
        .0,
        200
    );
    app.finish().await;
}

async fn buttons_are_single_calls_with_the_websocket_codes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let button = |name: &str| format!("/api/v1/meetings/{MEETING}/buttons/{name}");
    let chair = app.code("chair");
    let tech = app.code("technician");
    let hn = app.code("delegation:hn");
    let code_of = |body: &str| json(body)["code"].as_str().unwrap_or_default().to_owned();

    // No body, no code: 401, as everywhere.
    let (status, body) = http(&app, "POST", &button("next_item"), None, None).await;
    assert_eq!(
        (status, code_of(&body)),
        (401, "unauthenticated".to_owned())
    );
    // The chair opens the first item and calls the next speaker.
    let (status, body) = http(&app, "POST", &button("next_item"), Some(&chair), None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        &app,
        "POST",
        &button("next_speaker?speech=0"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Pressed again with the floor it saw (nobody): refused `stale`.
    let (status, body) = http(
        &app,
        "POST",
        &button("next_speaker?speech=0"),
        Some(&chair),
        None,
    )
    .await;
    assert_eq!(
        (status, code_of(&body)),
        (409, "stale".to_owned()),
        "{body}"
    );
    assert!(json(&body)["messages"]["es"].is_string(), "{body}");
    let (_, state) = http(
        &app,
        "GET",
        &format!("/api/v1/meetings/{MEETING}"),
        Some(&chair),
        None,
    )
    .await;
    let speech = json(&state)["state"]["floor"]["current"]["id"]
        .as_u64()
        .unwrap();
    for name in ["pause_timer", "resume_timer"] {
        let path = button(&format!("{name}?speech={speech}"));
        let (status, body) = http(&app, "POST", &path, Some(&chair), None).await;
        assert_eq!(status, 200, "{name}: {body}");
    }
    let path = button(&format!("extend_timer?seconds=30&speech={speech}"));
    assert_eq!(http(&app, "POST", &path, Some(&chair), None).await.0, 200);
    let path = button(&format!("end_speech?speech={speech}"));
    assert_eq!(http(&app, "POST", &path, Some(&chair), None).await.0, 200);
    // The technician's screen buttons; a Companion body is ignored.
    for path in [
        "screens_blank",
        "screens_identify?screen=hall-left",
        "screens_view?view=speakers_list&group=hall",
        "message?text=Coffee%20break&lang=en",
        "message_clear",
        "screens_reload",
    ] {
        let (status, body) = http(&app, "POST", &button(path), Some(&tech), Some("{}")).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // Who may press what is the permissions table.
    let (status, body) = http(&app, "POST", &button("screens_blank"), Some(&hn), None).await;
    assert_eq!((status, code_of(&body)), (403, "not_permitted".to_owned()));
    let (status, body) = http(&app, "POST", &button("next_speaker"), Some(&tech), None).await;
    assert_eq!((status, code_of(&body)), (403, "not_permitted".to_owned()));
    // Typed errors for a wrong button or query.
    let (status, body) = http(&app, "POST", &button("self_destruct"), Some(&tech), None).await;
    assert_eq!((status, code_of(&body)), (400, "bad_message".to_owned()));
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("next_speaker"),
        "{body}"
    );
    let (status, body) = http(
        &app,
        "POST",
        &button("screens_view?view=cinema"),
        Some(&tech),
        None,
    )
    .await;
    assert_eq!((status, code_of(&body)), (400, "bad_message".to_owned()));
    let (status, body) = http(
        &app,
        "POST",
        &button("screens_blank?colour=red"),
        Some(&tech),
        None,
    )
    .await;
    assert_eq!(
        (status, code_of(&body)),
        (400, "bad_message".to_owned()),
        "{body}"
    );
    let (status, body) = http(
        &app,
        "POST",
        &button("screens_blank?screen=nowhere"),
        Some(&tech),
        None,
    )
    .await;
    assert_eq!((status, code_of(&body)), (404, "unknown_screen".to_owned()));
    app.finish().await;
}

on_both_databases!(
    the_binary_serves_the_web_frontend,
    the_technician_issues_and_revokes_access_codes,
    an_operator_opens_a_meeting_at_run_time,
    health_readiness_and_metrics,
    commands_over_http_use_the_websocket_codes,
    the_minutes_export_for_the_secretariat,
    the_openapi_document_describes_the_api,
    who_manages_which_codes_is_the_core_table,
    the_operator_token_manages_every_code,
    role_endpoints_without_a_code_are_unauthenticated,
    wrong_codes_are_throttled_per_address,
    rest_commands_are_rate_limited_per_code,
    buttons_are_single_calls_with_the_websocket_codes,
);

/// `GET path` with a bearer code, as a proxy forwarding for `client`.
async fn forwarded_get(app: &TestApp, path: &str, code: &str, client: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {code}\r\nX-Forwarded-For: {client}\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

/// Behind a trusted proxy every request comes from the proxy: the
/// wrong-code throttle counts the client it forwards for, so a guesser is
/// slowed alone and the rest of the hall logs in.
#[tokio::test]
async fn behind_a_trusted_proxy_a_guesser_is_throttled_alone() {
    let app = TestApp::spawn_with(Backend::Sqlite, plenary_tests::reference(), |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    .unwrap();
    let state = format!("/api/v1/meetings/{MEETING}");
    // The guesser forges an entry of its own; the proxy appends the truth.
    let guesser = "10.9.9.9, 192.0.2.66";
    for n in 0..20 {
        let wrong = format!("AAAA-BBBB-CCCC-{n:04}");
        assert_eq!(forwarded_get(&app, &state, &wrong, guesser).await, 401);
    }
    assert_eq!(
        forwarded_get(&app, &state, &app.code("chair"), guesser).await,
        429,
        "the guesser waits, even with a right code"
    );
    assert_eq!(
        forwarded_get(&app, &state, &app.code("chair"), "192.0.2.7").await,
        200,
        "another client behind the same proxy is not slowed"
    );
    assert_eq!(
        forwarded_get(&app, &state, &app.code("chair"), "10.9.9.9").await,
        200,
        "the forged entry is not who was counted"
    );
    app.finish().await;
}
