//! Misbehaving clients on raw sockets: a websocket that says hello and then
//! never reads, and HTTP requests whose headers never finish.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A websocket client that says hello and then never reads: the server's
/// frames pile up in its (small) receive buffer and then in the server.
#[derive(Debug)]
pub(crate) struct NeverReader {
    stream: TcpStream,
    server_port: u16,
}

/// How a [`NeverReader`]'s connection looked when finally read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Drained {
    /// The server sent a close frame with this code.
    Closed(u16),
    /// The connection ended without a close frame (EOF or reset).
    Dropped,
    /// Still open: everything was read and nothing ended it.
    Open,
}

impl NeverReader {
    /// Opens `/ws` with a 4 KiB receive buffer and sends `hello` (JSON).
    pub(crate) async fn hello(port: u16, hello: &str) -> NeverReader {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let mut stream = socket
            .connect(([127, 0, 0, 1], port).into())
            .await
            .expect("the never-reading client connects");
        stream
            .write_all(
                format!(
                    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .expect("upgrade request sent");
        // The response, byte by byte, so that no frame is consumed.
        let mut response = Vec::new();
        while !response.ends_with(b"\r\n\r\n") {
            let byte = tokio::time::timeout(Duration::from_secs(5), stream.read_u8())
                .await
                .expect("an upgrade response within 5 s")
                .expect("the upgrade response");
            response.push(byte);
        }
        let response = String::from_utf8_lossy(&response);
        assert!(
            response.starts_with("HTTP/1.1 101"),
            "the websocket upgrade was refused: {response}"
        );
        stream
            .write_all(&masked_text_frame(hello.as_bytes()))
            .await
            .expect("hello sent");
        NeverReader {
            stream,
            server_port: port,
        }
    }

    /// Whether the server still holds its end of this connection open
    /// (ESTABLISHED in `/proc/net/tcp`). Reading the client's end cannot
    /// tell: a server's FIN or close frame waits behind the unread data,
    /// and reading would unblock the server. `None` where `/proc/net/tcp`
    /// cannot be read.
    pub(crate) fn held_by_server(&self) -> Option<bool> {
        let client_port = self.stream.local_addr().ok()?.port();
        let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
        let local = format!(":{:04X}", self.server_port);
        let remote = format!(":{client_port:04X}");
        Some(table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl, local_address, rem_address, st (01 = ESTABLISHED)
            fields.len() > 3
                && fields[1].ends_with(&local)
                && fields[2].ends_with(&remote)
                && fields[3] == "01"
        }))
    }

    /// Reads everything, looking for the end of the connection: a close
    /// frame, EOF or a reset. `Open` when nothing came for `quiet`.
    pub(crate) async fn drain(mut self, quiet: Duration) -> Drained {
        let mut buffer = Vec::new();
        let mut parsed = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match tokio::time::timeout(quiet, self.stream.read(&mut chunk)).await {
                Err(_) => return Drained::Open,
                Ok(Ok(0) | Err(_)) => return Drained::Dropped,
                Ok(Ok(n)) => buffer.extend_from_slice(&chunk[..n]),
            }
            // Server frames are unmasked: opcode, length, payload.
            while let Some((opcode, payload, next)) = frame_at(&buffer, parsed) {
                if opcode == 8 {
                    let code = payload
                        .get(..2)
                        .map_or(1005, |c| u16::from_be_bytes([c[0], c[1]]));
                    return Drained::Closed(code);
                }
                parsed = next;
            }
            if parsed > 1 << 20 {
                buffer.drain(..parsed);
                parsed = 0;
            }
        }
    }
}

/// The frame starting at `at`, if complete: opcode, payload, next offset.
fn frame_at(buffer: &[u8], at: usize) -> Option<(u8, &[u8], usize)> {
    let b = buffer.get(at..)?;
    if b.len() < 2 {
        return None;
    }
    let opcode = b[0] & 0x0f;
    let (len, header) = match b[1] & 0x7f {
        126 => (usize::from(u16::from_be_bytes([*b.get(2)?, *b.get(3)?])), 4),
        127 => {
            let bytes: [u8; 8] = b.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(bytes)).ok()?, 10)
        }
        n => (usize::from(n), 2),
    };
    let payload = b.get(header..header + len)?;
    Some((opcode, payload, at + header + len))
}

/// One masked text frame, as a client must send it.
fn masked_text_frame(payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x81];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | u8::try_from(n).unwrap_or(125)),
        n if n <= usize::from(u16::MAX) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// How a slow HTTP client sends its request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slowloris {
    /// The request line and one header, then nothing.
    Idle,
    /// One byte of headers every 200 ms, never the blank line.
    Trickle,
}

/// Opens a connection, sends a request whose headers never end, and
/// returns how long the server took to close it, or `None` if it was still
/// open after `within`.
pub(crate) async fn slowloris(port: u16, how: Slowloris, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("the slow client connects");
    let (mut read, mut write) = stream.into_split();
    let sender = async move {
        let _ = write
            .write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await;
        if let Slowloris::Trickle = how {
            for byte in b"X-Slow: ".iter().cycle() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if write.write_all(&[*byte]).await.is_err() {
                    break;
                }
            }
        }
        // Keep the socket open for as long as the reader waits.
        std::future::pending::<()>().await;
    };
    let reader = async move {
        let mut sink = [0u8; 1024];
        loop {
            match read.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::select! {
        () = sender => None,
        () = reader => Some(start.elapsed()),
        () = tokio::time::sleep(within) => None,
    }
}
