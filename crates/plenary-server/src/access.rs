//! Access codes: what people type (or scan) to open their console. A code
//! is 80 random bits written as 16 Crockford base-32 characters in groups
//! (`7K4M-Q2XD-9HTR-B3WN`): easy to read aloud, no I/O/L/U confusion. Only
//! its SHA-256 is stored ([`plenary_store::hash_access_code`]); the code is
//! shown once. A fast hash is enough because the code is random, and it
//! lets a login find its code with one indexed lookup.
//!
//! [`AccessCodes`] is the one service that issues, lists and revokes codes,
//! for REST, the command line (as the operator) and the demo alike; who
//! may manage whose codes is the core's table
//! ([`plenary_core::roles::CODE_MANAGEMENT`]).

use sha2::{Digest, Sha256};

use plenary_core::ids::MeetingId;
use plenary_core::roles::{self, CodeManager};
use plenary_core::{CommandError, MeetingDefinition, Role};
use plenary_store::{AccessCodeRecord, NewAccessCode, Store, StoreError};

use crate::clock;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh random code.
pub fn generate() -> String {
    let uuid = uuid::Uuid::new_v4();
    let b = uuid.as_bytes();
    // Bytes 6 and 8 carry the UUID's version and variant: skip them.
    let random = [
        b[0], b[1], b[2], b[3], b[4], b[5], b[10], b[11], b[12], b[13],
    ];
    format_code(&random)
}

/// A code derived from a secret, the meeting and the role: the demo prints
/// the same codes every time it runs on the same data directory.
pub fn derive(secret: &[u8], meeting: &str, role: &Role) -> String {
    derive_nth(secret, meeting, role, 0)
}

/// The `n`th code derived for a role ([`derive`] is the 0th): when one was
/// revoked, the demo moves on to the next, which stays the same from one
/// run to the next too.
pub fn derive_nth(secret: &[u8], meeting: &str, role: &Role, n: u32) -> String {
    let mut h = Sha256::new();
    h.update(secret);
    h.update(meeting.as_bytes());
    h.update(role.to_string().as_bytes());
    if n > 0 {
        h.update(b"#");
        h.update(n.to_string().as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&digest[..10]);
    format_code(&bytes)
}

fn format_code(bytes: &[u8; 10]) -> String {
    // 80 bits → 16 characters of 5 bits.
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (15 - i);
        let index = ((bits >> shift) & 31) as usize;
        out.push(char::from(CROCKFORD[index]));
    }
    out
}

/// Codes as people type them: case and separators do not matter, and the
/// letters Crockford reads as digits (O→0, I/L→1) are accepted.
pub fn normalise(input: &str) -> String {
    let mut out = String::with_capacity(19);
    let chars: Vec<char> = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(*c);
    }
    out
}

/// The hash under which a code (as typed) is stored.
pub fn hash(input: &str) -> String {
    plenary_store::hash_access_code(&normalise(input))
}

/// Why the access-code service refused.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The rules refuse it: who manages which codes
    /// (`access_codes_not_permitted`, `no_access_codes`) or the chair's
    /// last code (`last_chair_code`).
    #[error(transparent)]
    Refused(CommandError),
    /// The role names a delegation, booth or screen the meeting does not
    /// have (`unknown_delegation`, `unknown_booth`, `unknown_screen`).
    #[error(transparent)]
    UnknownRole(CommandError),
    /// The meeting has no active code with this id.
    #[error("no active access code with id {0}")]
    UnknownCode(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A code just issued: its record, and the code itself, shown this once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub record: AccessCodeRecord,
    pub code: String,
}

/// Revocations are checked against the meeting's other codes (the chair's
/// last one) and then made: one at a time in this process, so two
/// revocations of the chair's last two codes cannot both pass the check.
static REVOKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The one way codes are issued, listed and revoked — by REST, the command
/// line and the demo alike: the core's code-management table decides
/// ([`plenary_core::roles::may_issue_code`] and friends), and only the
/// hash of a code is stored.
#[derive(Debug, Clone, Copy)]
pub struct AccessCodes<'a> {
    store: &'a Store,
}

impl<'a> AccessCodes<'a> {
    pub fn new(store: &'a Store) -> AccessCodes<'a> {
        AccessCodes { store }
    }

    /// Issues a fresh random code for `role` in the meeting `definition`
    /// describes.
    pub async fn issue(
        &self,
        definition: &MeetingDefinition,
        manager: CodeManager,
        role: Role,
        label: String,
    ) -> Result<Issued, AccessError> {
        self.issue_code(definition, manager, role, label, generate())
            .await
    }

    /// Issues `code`, chosen by the caller (the demo derives its codes so
    /// they stay the same from one run to the next).
    pub async fn issue_code(
        &self,
        definition: &MeetingDefinition,
        manager: CodeManager,
        role: Role,
        label: String,
        code: String,
    ) -> Result<Issued, AccessError> {
        roles::may_issue_code(manager, role.kind()).map_err(AccessError::Refused)?;
        definition
            .must_know(&role)
            .map_err(AccessError::UnknownRole)?;
        let record = self
            .store
            .insert_access_code(&NewAccessCode {
                meeting: definition.id.clone(),
                role,
                label,
                hash: hash(&code),
                created_at: clock::now(),
            })
            .await?;
        tracing::info!(meeting = %record.meeting, role = %record.role, id = %record.id, by = %manager, "access code issued");
        Ok(Issued { record, code })
    }

    /// The active code someone typed (any case, any separators), for a
    /// login over the websocket or REST.
    pub async fn login(&self, code: &str) -> Result<Option<AccessCodeRecord>, StoreError> {
        self.store.find_access_code(&hash(code)).await
    }

    /// The active code behind a session token signed with `key`: a token
    /// lives exactly as long as its code.
    pub async fn resume(
        &self,
        key: &crate::session::SessionKey,
        token: &str,
    ) -> Result<Option<AccessCodeRecord>, StoreError> {
        let Some(claims) = key.verify(token) else {
            return Ok(None);
        };
        Ok(self
            .store
            .access_code_by_id(&claims.meeting, &claims.code_id)
            .await?
            .filter(|r| r.revoked_at.is_none()))
    }

    /// The meeting's codes (active and revoked, never the codes) of the
    /// roles `manager` manages.
    pub async fn list(
        &self,
        meeting: &MeetingId,
        manager: CodeManager,
    ) -> Result<Vec<AccessCodeRecord>, AccessError> {
        roles::may_list_codes(manager).map_err(AccessError::Refused)?;
        let mut records = self.store.list_access_codes(meeting).await?;
        records.retain(|r| manager.manages(r.role.kind()));
        Ok(records)
    }

    /// Revokes the active code `id` of `meeting`; nobody but the operator
    /// revokes the chair's last one. Returns the code as it was.
    pub async fn revoke(
        &self,
        meeting: &MeetingId,
        manager: CodeManager,
        id: &str,
    ) -> Result<AccessCodeRecord, AccessError> {
        let _one_at_a_time = REVOKING.lock().await;
        let codes = self.store.list_access_codes(meeting).await?;
        let record = codes
            .iter()
            .find(|r| r.id == id && r.revoked_at.is_none())
            .cloned()
            .ok_or_else(|| AccessError::UnknownCode(id.to_owned()))?;
        let active_chair_codes = codes
            .iter()
            .filter(|r| r.revoked_at.is_none() && r.role == Role::Chair)
            .count();
        roles::may_revoke_code(manager, record.role.kind(), active_chair_codes)
            .map_err(AccessError::Refused)?;
        if !self
            .store
            .revoke_access_code(meeting, id, clock::now())
            .await?
        {
            return Err(AccessError::UnknownCode(id.to_owned()));
        }
        tracing::info!(meeting = %meeting, role = %record.role, id = %id, by = %manager, "access code revoked");
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_crockford_characters_in_groups_of_four() {
        let code = generate();
        assert_eq!(code.len(), 19);
        assert!(code.split('-').all(|g| g.len() == 4));
        assert!(
            code.chars()
                .all(|c| c == '-' || CROCKFORD.contains(&(c as u8)))
        );
        assert_ne!(generate(), generate());
    }

    #[test]
    fn typed_codes_are_normalised_before_hashing() {
        let code = "7K4M-Q2XD-9HTR-B3WN";
        assert_eq!(hash("7k4mq2xd9htrb3wn"), hash(code));
        assert_eq!(normalise("7k4m q2xd 9htr b3wn"), code);
        assert_eq!(normalise("oIL0"), "0110");
    }

    #[test]
    fn derived_codes_are_stable_per_secret_meeting_and_role() {
        let a = derive(b"secret", "m", &Role::Chair);
        assert_eq!(a, derive(b"secret", "m", &Role::Chair));
        assert_ne!(a, derive(b"other", "m", &Role::Chair));
        assert_ne!(a, derive(b"secret", "m", &Role::Technician));
    }

    #[test]
    fn role_keys_round_trip() {
        for key in [
            "chair",
            "secretariat",
            "technician",
            "delegation:hn",
            "interpreter:booth-es",
            "screen:hall-left",
        ] {
            assert_eq!(key.parse::<Role>().unwrap().to_string(), key);
        }
        assert!("president".parse::<Role>().is_err());
        assert!("delegation:".parse::<Role>().is_err());
        assert!(
            "public".parse::<Role>().is_err(),
            "the public needs no code"
        );
    }

    #[test]
    fn the_nth_derived_code_differs_and_the_0th_is_the_derived_one() {
        let first = derive(b"secret", "m", &Role::Chair);
        assert_eq!(derive_nth(b"secret", "m", &Role::Chair, 0), first);
        let second = derive_nth(b"secret", "m", &Role::Chair, 1);
        assert_ne!(second, first);
        assert_eq!(derive_nth(b"secret", "m", &Role::Chair, 1), second);
    }
}
