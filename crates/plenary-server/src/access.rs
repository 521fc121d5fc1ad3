//! Access codes: what people type (or scan) to open their console. A code
//! is 80 random bits written as 16 Crockford base-32 characters in groups
//! (`7K4M-Q2XD-9HTR-B3WN`): easy to read aloud, no I/O/L/U confusion. Only
//! its SHA-256 is stored ([`plenary_store::hash_access_code`]); the code is
//! shown once. A fast hash is enough because the code is random, and it
//! lets a login find its code with one indexed lookup.

use std::fmt;

use sha2::{Digest, Sha256};

use plenary_core::Role;

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
    let mut h = Sha256::new();
    h.update(secret);
    h.update(meeting.as_bytes());
    h.update(role_key(role).as_bytes());
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

/// A stable short name for a role: `chair`, `delegation:hn`,
/// `interpreter:booth-es`, `screen:hall-left`. Used in CLI arguments, logs
/// and to keep command ids of different roles apart.
pub fn role_key(role: &Role) -> String {
    match role {
        Role::Chair => "chair".to_owned(),
        Role::Secretariat => "secretariat".to_owned(),
        Role::Technician => "technician".to_owned(),
        Role::Public => "public".to_owned(),
        Role::System => "system".to_owned(),
        Role::Delegation { delegation } => format!("delegation:{delegation}"),
        Role::Interpreter { booth } => format!("interpreter:{booth}"),
        Role::Screen { screen } => format!("screen:{screen}"),
    }
}

/// Parses [`role_key`]'s form back.
pub fn parse_role(key: &str) -> Result<Role, InvalidRole> {
    use plenary_core::ids::{BoothId, DelegationId, ScreenId};
    let invalid = || InvalidRole(key.to_owned());
    Ok(match key.split_once(':') {
        None => match key {
            "chair" => Role::Chair,
            "secretariat" => Role::Secretariat,
            "technician" => Role::Technician,
            _ => return Err(invalid()),
        },
        Some(("delegation", id)) if !id.is_empty() => Role::Delegation {
            delegation: DelegationId::new(id),
        },
        Some(("interpreter", id)) if !id.is_empty() => Role::Interpreter {
            booth: BoothId::new(id),
        },
        Some(("screen", id)) if !id.is_empty() => Role::Screen {
            screen: ScreenId::new(id),
        },
        Some(_) => return Err(invalid()),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRole(pub String);

impl fmt::Display for InvalidRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a role: use chair, secretariat, technician, delegation:<id>, interpreter:<booth> or screen:<id>",
            self.0
        )
    }
}

impl std::error::Error for InvalidRole {}

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
            assert_eq!(role_key(&parse_role(key).unwrap()), key);
        }
        assert!(parse_role("president").is_err());
        assert!(parse_role("delegation:").is_err());
        assert!(parse_role("public").is_err(), "the public needs no code");
    }
}
