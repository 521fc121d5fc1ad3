//! The catalogue of human texts (`locales/*.toml`) as the frontend reads
//! it: `frontend/src/generated/catalogue.ts`, generated here and checked
//! like the JSON Schema. Every protocol error has a text in every language.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use plenary_core::i18n::{Catalogue, Lang};
use plenary_protocol::ProtocolErrorCode;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../frontend/src/generated/catalogue.ts"
);

fn generated() -> String {
    let catalogue = Catalogue::get();
    let mut out = String::from(
        "// Generated from locales/*.toml (the catalogue of human texts) by\n\
         // `UPDATE_CATALOGUE=1 cargo test -p plenary-protocol --test catalogue`.\n\
         // Do not edit: edit the catalogue. `{name}` parameters are filled by `t()`.\n",
    );
    let languages: Vec<&str> = catalogue.languages().collect();
    for language in &languages {
        out.push_str(&format!("\nexport const {language} = {{\n"));
        for (key, text) in catalogue.entries(language).unwrap() {
            out.push_str(&format!(
                "  {}: {},\n",
                serde_json::to_string(key).unwrap(),
                serde_json::to_string(text).unwrap()
            ));
        }
        out.push_str("} as const;\n");
    }
    out.push_str(&format!(
        "\nexport const catalogues = {{ {} }} as const;\n",
        languages.join(", ")
    ));
    out
}

#[test]
fn the_frontend_catalogue_matches_the_locales() {
    Catalogue::check().unwrap();
    let generated = generated();
    if std::env::var_os("UPDATE_CATALOGUE").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "frontend/src/generated/catalogue.ts is out of date: run \
         `UPDATE_CATALOGUE=1 cargo test -p plenary-protocol --test catalogue`"
    );
}

#[test]
fn every_protocol_error_has_a_text_in_every_language() {
    // Exhaustive: a new code must be added to `ALL`, and so is checked.
    for code in ProtocolErrorCode::ALL {
        match code {
            ProtocolErrorCode::BadMessage
            | ProtocolErrorCode::UnsupportedVersion
            | ProtocolErrorCode::HelloRequired
            | ProtocolErrorCode::AlreadyWelcomed
            | ProtocolErrorCode::InvalidAccessCode
            | ProtocolErrorCode::UnknownMeeting
            | ProtocolErrorCode::PublicViewClosed
            | ProtocolErrorCode::RateLimited
            | ProtocolErrorCode::StoreUnavailable
            | ProtocolErrorCode::OutcomeUnknown
            | ProtocolErrorCode::InvalidCommandId
            | ProtocolErrorCode::TooManyAttempts => {}
        }
    }
    let catalogue = Catalogue::get();
    for language in catalogue.languages() {
        let texts = catalogue.entries(language).unwrap();
        for code in ProtocolErrorCode::ALL {
            assert!(
                texts.contains_key(code.as_str()),
                "{language} lacks `{}`",
                code.as_str()
            );
        }
    }
    let es = Lang::parse("es").unwrap();
    assert_eq!(
        ProtocolErrorCode::StoreUnavailable.message(&es),
        "no se pudo guardar el comando; no se aplicó nada, vuelva a intentarlo"
    );
}
