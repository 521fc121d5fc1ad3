//! `plenary-floor --listen 127.0.0.1:PORT`: the minimal axum websocket
//! broadcaster the benchmarks compare the service with (see
//! `plenary_loadgen::floor`). Runs until SIGINT or SIGTERM.
#![allow(clippy::print_stderr)]

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "plenary-floor",
    about = "Minimal axum websocket broadcaster: the benchmarks' floor."
)]
struct Args {
    /// Address to listen on (loopback only is sensible: no auth).
    #[arg(long, default_value = "127.0.0.1:8099")]
    listen: SocketAddr,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // The service runs on tokio's default multi-thread runtime: so does the floor.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let served = runtime.block_on(plenary_loadgen::floor::bind_and_serve(args.listen, async {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ignored = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
