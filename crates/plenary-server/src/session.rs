//! Session tokens: what a console presents to reconnect without typing its
//! access code again.
//!
//! A token is stateless: it names the meeting and the access code it was
//! opened with, signed with HMAC-SHA256 under a key created once and kept
//! in the store. Nothing is remembered per login, so nothing piles up;
//! a token survives a restart and is accepted by any node of the same
//! database. It lives exactly as long as its code: every hello looks the
//! code up again, so a revoked code ends its tokens too.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use plenary_core::ids::MeetingId;

type HmacSha256 = Hmac<Sha256>;

/// The name of the signing key in the store's secrets.
pub const KEY_NAME: &str = "session-token-key";

/// Token format version, so a later format can be told apart.
const PREFIX: &str = "s1";

/// The key session tokens are signed with.
#[derive(Clone)]
pub struct SessionKey(Vec<u8>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}

/// What a valid token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims {
    pub meeting: MeetingId,
    pub code_id: String,
}

impl SessionKey {
    /// A new random key, hex-encoded, to store the first time.
    pub fn fresh_secret() -> String {
        let a = uuid::Uuid::new_v4();
        let b = uuid::Uuid::new_v4();
        format!("{}{}", a.simple(), b.simple())
    }

    pub fn new(secret: &str) -> SessionKey {
        SessionKey(secret.as_bytes().to_vec())
    }

    fn mac(&self, meeting: &str, code_id: &str) -> HmacSha256 {
        // Any key length is valid for HMAC: this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(meeting.as_bytes());
        mac.update(&[0]);
        mac.update(code_id.as_bytes());
        mac
    }

    /// The token of a session opened with access code `code_id`.
    pub fn token(&self, meeting: &MeetingId, code_id: &str) -> String {
        let tag = self.mac(meeting.as_str(), code_id).finalize().into_bytes();
        format!(
            "{PREFIX}.{}.{}.{}",
            hex(meeting.as_str().as_bytes()),
            hex(code_id.as_bytes()),
            hex(&tag)
        )
    }

    /// What `token` says, if this key signed it.
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        let mut parts = token.split('.');
        let (Some(PREFIX), Some(meeting), Some(code_id), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let meeting = String::from_utf8(unhex(meeting)?).ok()?;
        let code_id = String::from_utf8(unhex(code_id)?).ok()?;
        let tag = unhex(tag)?;
        // Constant-time comparison.
        self.mac(&meeting, &code_id).verify_slice(&tag).ok()?;
        Some(TokenClaims {
            meeting: MeetingId::new(meeting),
            code_id,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _infallible = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 512 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_token_verifies_under_its_key_only() {
        let key = SessionKey::new(&SessionKey::fresh_secret());
        let m = MeetingId::new("san-pedro-sula-2017");
        let token = key.token(&m, "0190-abc");
        let claims = key.verify(&token).unwrap();
        assert_eq!(claims.meeting, m);
        assert_eq!(claims.code_id, "0190-abc");
        let other = SessionKey::new(&SessionKey::fresh_secret());
        assert_eq!(other.verify(&token), None);
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let key = SessionKey::new("k");
        let token = key.token(&MeetingId::new("m"), "code-1");
        let forged = token.replace(&hex(b"code-1"), &hex(b"code-2"));
        assert_eq!(key.verify(&forged), None);
        assert_eq!(key.verify("s1.zz.00.00"), None);
        assert_eq!(key.verify(""), None);
        assert_eq!(key.verify(&format!("{token}.x")), None);
    }
}
