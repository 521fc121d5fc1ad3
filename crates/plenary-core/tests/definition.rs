//! Loading meeting files: the reference meeting loads, and every mistake is
//! reported with its file, line and field.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::definition::{DefinitionErrorCode, load_str};
use plenary_core::rules::Category;
use support::REFERENCE;

fn errors_for(source: &str) -> Vec<plenary_core::definition::DefinitionError> {
    load_str("meeting.toml", source).expect_err("the file is refused")
}

/// Line (1-based) of the first occurrence of `needle` in the reference.
fn line_of(source: &str, needle: &str) -> usize {
    let at = source
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in source"));
    source[..at].matches('\n').count() + 1
}

#[test]
fn the_reference_meeting_loads_with_its_real_agenda_and_participants() {
    let def = support::reference_definition();
    assert_eq!(def.id.as_str(), "san-pedro-sula-2017");
    let langs: Vec<&str> = def.languages.iter().map(|l| l.as_str()).collect();
    assert_eq!(langs, ["es", "en"]);
    let plans = def.item(&support::item("national-plans")).unwrap();
    let presenters: Vec<&str> = plans
        .schedule
        .iter()
        .map(|p| p.delegation.as_str())
        .collect();
    assert_eq!(presenters, ["bz", "cr", "gt", "hn", "mx", "pa"]);
    for org in ["unhcr", "oas", "iachr", "sica", "iom", "idb", "wb", "icrc"] {
        assert!(def.delegation(&support::d(org)).is_some(), "{org} missing");
    }
    let categories: std::collections::BTreeSet<Category> =
        def.delegations.iter().map(|d| d.category).collect();
    assert_eq!(categories.len(), 6, "every category is represented");
    assert_eq!(def.channels.len(), 3);
    assert_eq!(def.booths.len(), 3);
    assert_eq!(
        def.delegation(&support::d("br"))
            .unwrap()
            .floor_language
            .as_str(),
        "pt"
    );
}

#[test]
fn an_unknown_delegation_in_the_agenda_names_file_line_and_field() {
    let source = REFERENCE.replacen("delegation = \"gt\"", "delegation = \"gtm\"", 1);
    let errors = errors_for(&source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.code, DefinitionErrorCode::UnknownDelegation);
    assert_eq!(e.file, "meeting.toml");
    assert_eq!(e.line, line_of(&source, "delegation = \"gtm\""));
    assert_eq!(e.field, "agenda[1].schedule[2].delegation");
    assert!(e.message.contains("gtm"), "{}", e.message);
    assert!(
        e.to_string()
            .starts_with(&format!("meeting.toml:{}:", e.line))
    );
}

#[test]
fn a_booth_interpreter_without_an_a_language_is_refused() {
    let source = REFERENCE.replacen(
        "a = [\"en\"]\nc = [\"es\", \"pt\"]",
        "c = [\"es\", \"pt\"]",
        1,
    );
    let errors = errors_for(&source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, DefinitionErrorCode::NoALanguage);
    assert_eq!(errors[0].field, "booths[1].interpreters[0].id");
    assert_eq!(errors[0].line, line_of(&source, "id = \"en-1\""));
}

#[test]
fn a_duplicate_delegation_id_is_refused_at_the_second_definition() {
    let source = REFERENCE.replacen("id = \"cr\"", "id = \"bz\"", 1);
    let errors = errors_for(&source);
    assert_eq!(errors[0].code, DefinitionErrorCode::DuplicateId);
    assert_eq!(errors[0].field, "delegations[1].id");
    assert!(errors[0].message.contains("`bz` is defined twice"));
}

#[test]
fn a_typo_in_a_field_name_is_a_toml_error_with_its_line() {
    let source = REFERENCE.replacen(
        "floor_language = \"es\"\nseat = \"A2\"",
        "floor_lang = \"es\"\nseat = \"A2\"",
        1,
    );
    let errors = errors_for(&source);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, DefinitionErrorCode::InvalidToml);
    assert_eq!(errors[0].line, line_of(&source, "floor_lang ="));
    assert_eq!(errors[0].field, "delegations[1].floor_lang");
    assert!(
        errors[0].message.contains("floor_lang"),
        "{}",
        errors[0].message
    );
}

#[test]
fn several_mistakes_are_all_reported_in_file_order() {
    let source = REFERENCE
        .replacen("category = \"member_state\"", "category = \"state\"", 1)
        .replacen("allotted = \"12m\"", "allotted = \"twelve minutes\"", 1)
        .replacen("language = \"pt\"", "language = \"portugués\"", 1);
    let errors = errors_for(&source);
    let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        [
            DefinitionErrorCode::InvalidLanguage,
            DefinitionErrorCode::UnknownCategory,
            DefinitionErrorCode::InvalidDuration
        ]
    );
    assert!(errors.windows(2).all(|w| w[0].line < w[1].line));
}

#[test]
fn a_booth_on_an_undefined_channel_is_refused() {
    let source = REFERENCE.replacen("channel = 3", "channel = 7", 1);
    let errors = errors_for(&source);
    assert_eq!(errors[0].code, DefinitionErrorCode::UnknownChannel);
    assert_eq!(errors[0].field, "booths[2].channel");
}

#[test]
fn presentations_need_a_schedule_and_the_first_item_a_start() {
    let minimal = r#"
[meeting]
id = "m"
title = { en = "M" }
languages = ["en"]

[[delegations]]
id = "x"
name = { en = "X" }
category = "observer"
floor_language = "en"

[[agenda]]
id = "plans"
kind = "presentations"
title = { en = "Plans" }
duration = "1h"
"#;
    let codes: Vec<_> = errors_for(minimal).iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        [
            DefinitionErrorCode::MissingPlannedStart,
            DefinitionErrorCode::EmptyList
        ]
    );
}

#[test]
fn not_toml_at_all_is_reported_with_a_position() {
    let errors = errors_for("[meeting\nid = 1");
    assert_eq!(errors[0].code, DefinitionErrorCode::InvalidToml);
    assert_eq!(errors[0].line, 1);
}

#[test]
fn rules_presets_and_overrides_combine() {
    let def = support::definition_with(|s| {
        s.replacen("preset = \"un-general-assembly\"", "preset = \"oas\"", 1)
            .replacen("right_of_reply_limits = [\"10m\", \"5m\"]\n", "", 1)
    });
    assert_eq!(def.rules.preset, plenary_core::rules::Preset::Oas);
    let limits: Vec<i64> = def
        .rules
        .right_of_reply
        .limits
        .iter()
        .map(|m| m.as_millis())
        .collect();
    assert_eq!(limits, [300_000, 180_000], "OAS preset: 5 then 3 minutes");
    assert_eq!(
        def.rules
            .statement_limit(Category::CivilSociety)
            .as_millis(),
        180_000
    );
}
