//! The stack's floor: the least an axum websocket broadcaster can do.
//!
//! Same axum and tungstenite as the service, TCP_NODELAY on every accepted
//! socket, a 4 KiB read buffer (as the service), no store, no auth, no
//! protocol: a text frame from any client is broadcast to every client,
//! serialised once (the received `Utf8Bytes` is cloned, not copied), and
//! each connection writes what is queued for it with one flush. A client
//! that falls behind the broadcast channel is closed (4008), never silently
//! skipped, so the load generator's checks mean the same on both targets.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

/// Frames the channel holds for the slowest receiver.
const CHANNEL: usize = 4096;
/// Frames written per flush at most.
const BATCH: usize = 256;

/// Serves `/ws` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let (tx, _) = broadcast::channel::<Utf8Bytes>(CHANNEL);
    let app = Router::new().route("/ws", get(upgrade)).with_state(tx);
    let listener = listener.tap_io(|tcp| {
        // Nagle plus delayed ACK would hold small frames back.
        let _ignored = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `addr` and serves until the future completes.
pub async fn bind_and_serve(
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve(TcpListener::bind(addr).await?, shutdown).await
}

async fn upgrade(State(tx): State<broadcast::Sender<Utf8Bytes>>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(4096)
        .on_upgrade(move |socket| connection(socket, tx))
}

async fn connection(mut socket: WebSocket, tx: broadcast::Sender<Utf8Bytes>) {
    let mut rx = tx.subscribe();
    loop {
        tokio::select! {
            frame = rx.recv() => match frame {
                Ok(first) => {
                    if !forward(&mut socket, first, &mut rx).await {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let close = CloseFrame { code: 4008, reason: Utf8Bytes::from_static("too slow") };
                    let _closing = socket.send(Message::Close(Some(close))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    // No receiver is impossible: this connection is one.
                    let _receivers = tx.send(text);
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Writes `first` and whatever else is queued with one flush.
async fn forward(
    socket: &mut WebSocket,
    first: Utf8Bytes,
    rx: &mut broadcast::Receiver<Utf8Bytes>,
) -> bool {
    if socket.feed(Message::Text(first)).await.is_err() {
        return false;
    }
    for _ in 1..BATCH {
        match rx.try_recv() {
            Ok(f) => {
                if socket.feed(Message::Text(f)).await.is_err() {
                    return false;
                }
            }
            // Lagged is seen (and answered) by the next recv.
            Err(_) => break,
        }
    }
    socket.flush().await.is_ok()
}
