//! `sqlx::migrate!` embeds the migrations at compile time but, on stable
//! Rust, cannot tell cargo to rebuild when a migration file is added: this
//! does.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
