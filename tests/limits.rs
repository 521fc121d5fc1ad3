//! Limits against faults and attacks at the connection level: slow or
//! silent clients are closed after the header read timeout, one address
//! cannot hold more than its share of connections, every page carries the
//! security headers, shutdown never waits long for a connection, and
//! `/metrics` describes everything from the start. Real sockets, port 0.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use plenary_tests::{Backend, MEETING, TestApp, reference};

/// Reads until the peer closes (EOF or reset) or `limit` passes: what was
/// read, and whether it was closed in time.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (data, false),
            Ok(Ok(0) | Err(_)) => return (data, true),
            Ok(Ok(n)) => data.extend_from_slice(&buf[..n]),
        }
    }
}

/// One request on a kept-alive connection: the status and the head.
async fn request(stream: &mut TcpStream, path: &str) -> (u16, String) {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: plenary\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&data[..end]).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .expect("a content-length");
                while data.len() < end + 4 + length {
                    let n = stream.read(&mut buf).await.unwrap();
                    assert!(n > 0, "closed mid-body");
                    data.extend_from_slice(&buf[..n]);
                }
                return head;
            }
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before a response to {path}");
            data.extend_from_slice(&buf[..n]);
        }
    };
    let head = tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("a response in time");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head)
}

/// A connection the server refuses at once: a 503 or a plain close, in
/// well under a second, never a served request.
async fn assert_refused(app: &TestApp) {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    // The request may or may not reach the server before it closes.
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: plenary\r\n\r\n")
        .await;
    let started = Instant::now();
    let (data, closed) = read_until_closed(&mut stream, Duration::from_secs(2)).await;
    let text = String::from_utf8_lossy(&data);
    assert!(closed, "an extra connection stays open: {text:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused only after {:?}",
        started.elapsed()
    );
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 503"),
        "an extra connection was served: {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_connections_are_closed_after_the_header_read_timeout() {
    let timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(Backend::Sqlite, reference(), |c| {
        c.header_read_timeout = timeout;
    })
    .await
    .unwrap();

    // Slowloris: a request line and half the headers, then a header
    // trickled byte by byte, never the blank line.
    let slowloris = async {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /api/v1/meetings HTTP/1.1\r\nHost: plenary\r\nX-Slow: ")
            .await
            .unwrap();
        let started = Instant::now();
        let mut closed = false;
        while started.elapsed() < Duration::from_secs(4) {
            if stream.write_all(b"a").await.is_err() {
                closed = true;
                break;
            }
            let mut buf = [0u8; 64];
            match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) => {
                    closed = true;
                    break;
                }
                Ok(Ok(n)) => panic!(
                    "the slow request was answered: {:?}",
                    String::from_utf8_lossy(&buf[..n])
                ),
                Err(_) => {}
            }
        }
        (closed, started.elapsed())
    };
    // Silent: connects and sends nothing.
    let silent = async {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        let started = Instant::now();
        let (data, closed) = read_until_closed(&mut stream, Duration::from_secs(4)).await;
        assert!(data.is_empty());
        (closed, started.elapsed())
    };
    // Idle keep-alive: one request served, then nothing.
    let idle = async {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        assert_eq!(request(&mut stream, "/healthz").await.0, 200);
        let started = Instant::now();
        let (data, closed) = read_until_closed(&mut stream, Duration::from_secs(4)).await;
        assert!(data.is_empty());
        (closed, started.elapsed())
    };
    // Slow POST: the headers in time, then a body that stops half way.
    let slow_body = async {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(
                format!(
                    "POST /api/v1/meetings/{MEETING}/commands HTTP/1.1\r\nHost: plenary\r\n\
                     Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"kind\":"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let started = Instant::now();
        let (data, closed) = read_until_closed(&mut stream, Duration::from_secs(4)).await;
        let text = String::from_utf8_lossy(&data);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 4"),
            "a stalled body was served: {text}"
        );
        (closed, started.elapsed())
    };
    let (slowloris, silent, idle, slow_body) = tokio::join!(slowloris, silent, idle, slow_body);
    for (what, (closed, after)) in [
        ("slowloris", slowloris),
        ("silent", silent),
        ("idle", idle),
        ("slow body", slow_body),
    ] {
        assert!(closed, "{what} connection still open after {after:?}");
        assert!(
            after >= timeout - Duration::from_millis(100) && after < timeout * 3,
            "{what} connection closed after {after:?}, the timeout is {timeout:?}"
        );
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_more_than_its_connections() {
    const CAP: usize = 4;
    let app = TestApp::spawn_with(Backend::Sqlite, reference(), |c| {
        c.max_connections_per_address = CAP as u32;
        c.limit_loopback = true;
    })
    .await
    .unwrap();
    let refused_before = refused_count();

    // CAP - 1 plain HTTP connections and one websocket, all usable.
    let mut streams = Vec::new();
    for _ in 0..CAP - 1 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        assert_eq!(request(&mut stream, "/healthz").await.0, 200);
        streams.push(stream);
    }
    let chair = app.connect("chair").await;

    // One more is refused at once, and counted.
    assert_refused(&app).await;
    assert_refused(&app).await;
    assert!(
        refused_count() >= refused_before + 2,
        "refusals not counted: {refused_before} then {}",
        refused_count()
    );

    // The first ones still work.
    for stream in &mut streams {
        assert_eq!(request(stream, "/healthz").await.0, 200);
    }
    chair.time_sample().await.expect("the websocket answers");

    // Closing one makes room for exactly one more.
    drop(streams.pop());
    let mut replacement = connect_when_room(&app).await;
    assert_eq!(request(&mut replacement, "/healthz").await.0, 200);
    assert_refused(&app).await;

    // The websocket holds its place after the upgrade, and gives it back
    // when it closes.
    chair.close().await;
    let mut another = connect_when_room(&app).await;
    assert_eq!(request(&mut another, "/healthz").await.0, 200);
    assert_refused(&app).await;

    drop((streams, replacement, another));
    app.finish().await;
}

/// A new connection that is served, once the server has seen a close.
async fn connect_when_room(app: &TestApp) -> TcpStream {
    let started = Instant::now();
    loop {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: plenary\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 && buf.starts_with(b"HTTP/1.1 200") => {
                // Read the rest of this small response (the body `ok`).
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                if !text.ends_with("ok") {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
                }
                return stream;
            }
            _ => {}
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "no room for a new connection after closing one"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `plenary_connections_refused_total{reason="per_address"}` in this
/// process (the recorder is shared by every test of the binary).
fn refused_count() -> u64 {
    plenary_server::metrics::render()
        .lines()
        .find_map(|l| l.strip_prefix("plenary_connections_refused_total{reason=\"per_address\"} "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_not_capped_by_default() {
    let app = TestApp::spawn_with(Backend::Sqlite, reference(), |c| {
        c.max_connections_per_address = 2;
    })
    .await
    .unwrap();
    let mut streams = Vec::new();
    for _ in 0..5 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        assert_eq!(request(&mut stream, "/healthz").await.0, 200);
        streams.push(stream);
    }
    drop(streams);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_and_the_api_carry_the_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    for path in [
        "/",
        "/api/v1/meetings",
        "/healthz",
        "/no/such/page",
        "/api/nothing",
    ] {
        let (status, head) = request(&mut stream, path).await;
        assert!(status > 0, "{path}: {head}");
        let head = head.to_ascii_lowercase();
        for header in [
            "content-security-policy: default-src 'self'; connect-src 'self' ws: wss:;",
            "frame-ancestors 'none'",
            "x-frame-options: deny",
            "x-content-type-options: nosniff",
            "referrer-policy: no-referrer",
        ] {
            assert!(head.contains(header), "{path} lacks {header}:\n{head}");
        }
    }
    // The websocket still upgrades.
    let chair = app.connect("chair").await;
    chair.time_sample().await.expect("the websocket answers");
    chair.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_describe_everything_from_the_start() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: plenary\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (data, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed);
    let text = String::from_utf8_lossy(&data);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    for line in [
        "# HELP plenary_commands_total ",
        "# TYPE plenary_commands_total counter",
        "plenary_commands_total{outcome=\"acked\"} ",
        "plenary_commands_total{outcome=\"refused\"} ",
        "plenary_commands_total{outcome=\"unavailable\"} ",
        "plenary_commands_total{outcome=\"rate_limited\"} ",
        "# HELP plenary_connections ",
        "plenary_connections{role=\"delegation\"} ",
        "# HELP plenary_events_committed_total ",
        "plenary_queue_drops_total ",
        "plenary_connections_refused_total{reason=\"per_address\"} ",
        "# HELP process_resident_memory_bytes ",
        "# TYPE process_cpu_seconds_total counter",
        "process_open_fds ",
        "process_start_time_seconds ",
    ] {
        assert!(
            text.contains(line),
            "{line:?} missing from /metrics:\n{text}"
        );
    }
    // Nothing was sent on a websocket in this process: zero, not absent.
    assert!(
        text.contains("plenary_commands_total{outcome=\"rate_limited\"} 0"),
        "{text}"
    );
    let rss: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("process_resident_memory_bytes "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a resident memory value");
    assert!(rss > 1e6, "resident memory {rss}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_a_connection_that_never_finishes() {
    // A header read timeout far beyond the drain bound.
    let app = TestApp::spawn_with(Backend::Sqlite, reference(), |c| {
        c.header_read_timeout = Duration::from_secs(120);
    })
    .await
    .unwrap();
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: pl").await.unwrap();
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    assert_eq!(request(&mut idle, "/healthz").await.0, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    let stopping = tokio::spawn(app.finish());
    // The idle keep-alive connection is closed at once.
    let (_, closed) = read_until_closed(&mut idle, Duration::from_secs(2)).await;
    assert!(closed, "an idle connection kept open during shutdown");
    // Nothing new is accepted.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let late = TcpStream::connect(slow.peer_addr().unwrap()).await;
    if let Ok(mut late) = late {
        let (_, closed) = read_until_closed(&mut late, Duration::from_secs(1)).await;
        assert!(closed, "a connection accepted during shutdown");
    }
    tokio::time::timeout(
        plenary_server::listener::DRAIN + Duration::from_secs(5),
        stopping,
    )
    .await
    .expect("shutdown bounded by the drain time")
    .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    drop(slow);
}
