//! The client's address behind a reverse proxy (docs/deployment.md): what
//! the per-address throttles count. Behind HAProxy every connection comes
//! from the proxy, so one hostile user guessing codes would lock out the
//! whole hall. `X-Forwarded-For` is believed only from the addresses in
//! `trusted_proxies`, and only its last entry (the one the proxy added):
//! anything before it came from the client and may be forged.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// Who is on the other end: `peer`, or, when `peer` is a trusted proxy,
/// the address it says it forwards for.
pub fn client_ip(trusted: &[IpAddr], peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if !trusted.contains(&peer.ip()) {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|s| s.trim().parse::<IpAddr>().ok())
        .unwrap_or_else(|| peer.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    const PROXY: &str = "10.0.0.2:40000";

    fn proxy() -> SocketAddr {
        PROXY.parse().unwrap()
    }

    #[test]
    fn a_trusted_proxy_names_the_client_by_its_last_entry() {
        let trusted = [proxy().ip()];
        // The client forged the first entry; the proxy appended the truth.
        let h = headers(&["6.6.6.6, 192.168.1.20"]);
        assert_eq!(
            client_ip(&trusted, proxy(), &h),
            "192.168.1.20".parse::<IpAddr>().unwrap()
        );
        let h = headers(&["6.6.6.6", "192.168.1.21"]);
        assert_eq!(
            client_ip(&trusted, proxy(), &h),
            "192.168.1.21".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn anyone_else_is_their_own_address() {
        let h = headers(&["192.168.1.20"]);
        assert_eq!(client_ip(&[], proxy(), &h), proxy().ip());
        let other: SocketAddr = "10.0.0.9:1".parse().unwrap();
        assert_eq!(client_ip(&[proxy().ip()], other, &h), other.ip());
    }

    #[test]
    fn a_garbled_header_falls_back_to_the_proxy() {
        let trusted = [proxy().ip()];
        assert_eq!(
            client_ip(&trusted, proxy(), &headers(&["not an address"])),
            proxy().ip()
        );
        assert_eq!(
            client_ip(&trusted, proxy(), &HeaderMap::new()),
            proxy().ip()
        );
    }
}
