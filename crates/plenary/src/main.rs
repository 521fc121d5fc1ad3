//! `plenary`: runs the floor of an intergovernmental conference.
//!
//! Exit codes: 0 success; 1 the service or its database failed; 2 the
//! input is wrong (usage, a meeting file, a role, a configuration).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod demo;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::Failure::Input(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(cli::Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
