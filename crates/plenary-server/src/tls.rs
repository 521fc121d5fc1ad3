//! HTTPS: the acceptor for a certificate and key from the configuration,
//! and, for `plenary demo --tls`, a local certificate authority with a leaf
//! for this machine's addresses (kept in the data folder, the leaf reissued
//! when the addresses change). Browsers register no service worker and
//! grant no wake lock behind a certificate error, so the CA is meant to be
//! trusted on the hall's devices (docs/deployment.md), not clicked through.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("tls_cert {}: {reason}", path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error("tls_key {}: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
    #[error("the certificate in {} and the key in {} do not go together: {reason}", cert.display(), key.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// The acceptor for the PEM certificate chain at `cert` and the PEM
/// private key at `key` (HTTP/1.1 only: websockets upgrade from it).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| TlsError::Certificate {
            path: cert.to_owned(),
            reason: e.to_string(),
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Certificate {
            path: cert.to_owned(),
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate {
            path: cert.to_owned(),
            reason: "no PEM certificate in it".to_owned(),
        });
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.to_owned(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Certificate {
            path: cert.to_owned(),
            reason: e.to_string(),
        })?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| TlsError::Mismatch {
            cert: cert.to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The acceptor the configuration asks for: `None` for plain HTTP.
pub fn from_config(config: &crate::config::ServerConfig) -> Result<Option<TlsAcceptor>, TlsError> {
    match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => acceptor(cert, key).map(Some),
        _ => Ok(None),
    }
}

/// Answers every plain-HTTP request on `listener` with a 308 to the same
/// host and path over HTTPS on `https_port`, until `shutdown`.
pub async fn redirect_to_https(
    listener: tokio::net::TcpListener,
    https_port: u16,
    shutdown: tokio_util::sync::CancellationToken,
) {
    use axum::http::{HeaderMap, StatusCode, Uri, header};
    let app = axum::Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        // The host without its port (an IPv6 literal keeps its brackets).
        let host = match host.rsplit_once(':') {
            Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let location = if https_port == 443 {
            format!("https://{host}{path}")
        } else {
            format!("https://{host}:{https_port}{path}")
        };
        (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
    });
    let serving = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.cancelled().await;
    });
    if let Err(e) = serving.await {
        tracing::warn!(error = %e, "the HTTP redirect stopped");
    }
}

/// The local CA and this machine's certificate, as `demo --tls` keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalCertificates {
    /// The CA certificate to install on the hall's devices.
    pub ca_cert: PathBuf,
    /// SHA-256 of the CA certificate, `AA:BB:…`, to check it was installed.
    pub ca_fingerprint: String,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The names and addresses the certificate is valid for.
    pub names: Vec<String>,
    /// The leaf was (re)issued now: the first time, or the addresses changed.
    pub issued: bool,
}

const CA_CERT: &str = "plenary-ca.pem";
const CA_KEY: &str = "plenary-ca.key";
const CA_NAME: &str = "plenary-ca.name";
const LEAF_CERT: &str = "plenary-tls.pem";
const LEAF_KEY: &str = "plenary-tls.key";
const LEAF_NAMES: &str = "plenary-tls.names";

/// The local CA in `dir` (made the first time, key file mode 0600) and a
/// leaf certificate for `names` signed by it, reissued when `names`
/// differ from the ones it was issued for. `today` is `(year, month, day)`.
pub fn local_certificates(
    dir: &Path,
    names: &[String],
    today: (i32, u8, u8),
) -> Result<LocalCertificates, TlsError> {
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let (ca_key, ca_params, ca_pem) = local_ca(dir, today)?;
    let cert = dir.join(LEAF_CERT);
    let key = dir.join(LEAF_KEY);
    let names_file = dir.join(LEAF_NAMES);
    let wanted = names.join("\n");
    let current = std::fs::read_to_string(&names_file).unwrap_or_default();
    let issued = !(cert.exists() && key.exists() && current == wanted);
    if issued {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "plenary");
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => n.clone().try_into().map(SanType::DnsName),
            })
            .collect::<Result<_, _>>()?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        // Browsers refuse server certificates valid for over 398 days.
        valid(&mut params, today, -1, 397);
        let leaf_key = KeyPair::generate()?;
        let issuer = Issuer::new(ca_params, &ca_key);
        let leaf = params.signed_by(&leaf_key, &issuer)?;
        write_private(&key, &leaf_key.serialize_pem())?;
        // The chain: the leaf, then the CA.
        write(&cert, &format!("{}{}", leaf.pem(), ca_pem))?;
        write(&names_file, &wanted)?;
    }
    Ok(LocalCertificates {
        ca_cert: dir.join(CA_CERT),
        ca_fingerprint: fingerprint(&ca_pem),
        cert,
        key,
        names: names.to_vec(),
        issued,
    })
}

/// The CA's key, its parameters (to sign with) and its certificate.
fn local_ca(
    dir: &Path,
    today: (i32, u8, u8),
) -> Result<(KeyPair, CertificateParams, String), TlsError> {
    let cert = dir.join(CA_CERT);
    let key = dir.join(CA_KEY);
    let name_file = dir.join(CA_NAME);
    let existing = (
        std::fs::read_to_string(&key),
        std::fs::read_to_string(&cert),
        std::fs::read_to_string(&name_file),
    );
    if let (Ok(key_pem), Ok(cert_pem), Ok(name)) = existing {
        let key_pair = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::Key {
            path: key.clone(),
            reason: e.to_string(),
        })?;
        return Ok((key_pair, ca_params(name.trim(), today), cert_pem));
    }
    // A name of its own, so that two installations' CAs are told apart in
    // a device's list of trusted authorities.
    let name = format!(
        "plenary local CA {}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let key_pair = KeyPair::generate()?;
    let params = ca_params(&name, today);
    let cert_pem = params.self_signed(&key_pair)?.pem();
    write_private(&key, &key_pair.serialize_pem())?;
    write(&cert, &cert_pem)?;
    write(&name_file, &name)?;
    Ok((key_pair, params, cert_pem))
}

fn ca_params(name: &str, today: (i32, u8, u8)) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "plenary");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    valid(&mut params, today, -1, 3650);
    params
}

/// `today` moved by `days`.
fn shifted(today: (i32, u8, u8), days: i64) -> (i32, u8, u8) {
    use chrono::Datelike;
    let (y, m, d) = today;
    let date = chrono::NaiveDate::from_ymd_opt(y, u32::from(m), u32::from(d)).unwrap_or_default()
        + chrono::Duration::days(days);
    (
        date.year(),
        u8::try_from(date.month()).unwrap_or(1),
        u8::try_from(date.day()).unwrap_or(1),
    )
}

/// Sets a certificate's validity from `today` moved by `from` to `today`
/// moved by `to` days.
fn valid(params: &mut CertificateParams, today: (i32, u8, u8), from: i64, to: i64) {
    let (y, m, d) = shifted(today, from);
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = shifted(today, to);
    params.not_after = rcgen::date_time_ymd(y, m, d);
}

/// SHA-256 of the first certificate in `pem`, as `AA:BB:…`.
fn fingerprint(pem: &str) -> String {
    let der = CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .and_then(Result::ok);
    let digest = Sha256::digest(der.as_deref().unwrap_or_default());
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn write(path: &Path, text: &str) -> Result<(), TlsError> {
    std::fs::write(path, text).map_err(|source| TlsError::Write {
        path: path.to_owned(),
        source,
    })
}

/// A private key: readable by this user only, from its creation.
fn write_private(path: &Path, text: &str) -> Result<(), TlsError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let io = |source| TlsError::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = options.open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_ca_is_made_once_and_the_leaf_follows_the_addresses() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let today = (2026, 11, 30);
        let first = local_certificates(dir.path(), &names(&["localhost", "127.0.0.1"]), today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(first.issued);
        assert_eq!(first.ca_fingerprint.len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for key in [dir.path().join(CA_KEY), first.key.clone()] {
                let mode = std::fs::metadata(&key)
                    .map(|m| m.permissions().mode() & 0o777)
                    .unwrap_or(0);
                assert_eq!(mode, 0o600, "{}", key.display());
            }
        }
        // Same addresses: nothing reissued, same CA.
        let again = local_certificates(dir.path(), &names(&["localhost", "127.0.0.1"]), today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!again.issued);
        // A new address: a new leaf from the same CA.
        let moved = local_certificates(
            dir.path(),
            &names(&["localhost", "127.0.0.1", "10.0.0.7"]),
            today,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(moved.issued);
        assert_eq!(moved.ca_fingerprint, first.ca_fingerprint);
        // And it is served.
        assert!(acceptor(&moved.cert, &moved.key).is_ok());
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused_naming_both_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = local_certificates(&dir.path().join("a"), &names(&["localhost"]), (2026, 1, 1))
            .unwrap_or_else(|e| panic!("{e}"));
        let b = local_certificates(&dir.path().join("b"), &names(&["localhost"]), (2026, 1, 1))
            .unwrap_or_else(|e| panic!("{e}"));
        let e = acceptor(&a.cert, &b.key).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("do not go together"), "{e}");
        let missing = acceptor(&dir.path().join("none.pem"), &a.key)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(missing.starts_with("tls_cert "), "{missing}");
    }
}
