//! Coverage by booth: the recommendations that judge each booth by all its
//! interpreters, for the speaker on the floor and the speakers ahead
//! (`interpretation::coverage`), any BCP 47 language, and the interpreters'
//! turns. The reference booths: es-1 (A es, B en) and es-2 (A es, C en fr);
//! en-1 (A en, C es pt) and en-2 (A en, B es, C pt); pt-1 (A pt, C en) and
//! pt-2 (A pt, C en fr).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::definition::LanguageClass;
use plenary_core::ids::InterpreterId;
use plenary_core::interpretation::coverage::{self, SpeakerCoverage};
use plenary_core::interpretation::{
    Advice, ChannelFeed, Depth, DutyWarning, InterpretationWarning,
};
use plenary_core::rules::RequestKind;
use plenary_core::{Command, Millis, Role};
use support::{
    Session, booth, chair, d, definition_with, delegation, from_floor, interpreter, item, lang,
    relay,
};

const DEBATE: &str = "responsibility-sharing";

fn who(id: &str) -> InterpreterId {
    InterpreterId::new(id)
}

/// `who` asks for the floor on the open item, to speak `language`.
fn asks_in(s: &mut Session, who: &str, language: &str) {
    s.ok(
        delegation(who),
        Command::RequestFloor {
            item: item(DEBATE),
            delegation: d(who),
            kind: RequestKind::Statement,
            language: Some(lang(language)),
        },
    );
}

fn ahead(s: &Session) -> Vec<SpeakerCoverage> {
    coverage::for_meeting(&s.meeting, 3)
}

fn hand_over(b: &str, from: &str, to: &str, language: &str, class: LanguageClass) -> Advice {
    Advice::HandOver {
        booth: booth(b),
        from: who(from),
        to: who(to),
        language: lang(language),
        class,
        mid_speech: false,
    }
}

fn feeds(c: &SpeakerCoverage) -> Vec<(u8, ChannelFeed)> {
    c.coverage
        .channels
        .iter()
        .map(|c| (c.channel, c.feed.clone()))
        .collect()
}

/// The reference meeting with its booths replaced by `booths` (TOML).
fn with_booths(booths: &str) -> Session {
    let definition = definition_with(|source| {
        let start = source.find("[[booths]]").expect("booths");
        let end = source.find("# --- Delegations").expect("delegations");
        format!("{}{booths}\n{}", &source[..start], &source[end..])
    });
    let mut s = Session::new(definition);
    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    s
}

#[test]
fn french_both_partners_with_passive_french_take_over_before_canada_speaks() {
    let mut s = Session::on_item(DEBATE);
    asks_in(&mut s, "ca", "fr");
    // The live plan judges only the interpreters on the mic: uncovered.
    let live = s
        .meeting
        .interpretation
        .plan(&s.meeting.definition, &lang("fr"));
    assert_eq!(live.warnings.len(), 3, "{:?}", live.warnings);

    let plan = ahead(&s);
    let canada = &plan[0];
    assert_eq!(canada.delegation, d("ca"));
    assert!(!canada.on_floor);
    assert!(canada.coverage.interpreted);
    assert_eq!(
        canada.coverage.advice,
        [
            hand_over("booth-es", "es-1", "es-2", "fr", LanguageClass::C),
            hand_over("booth-pt", "pt-1", "pt-2", "fr", LanguageClass::C),
            Advice::TakeRelay {
                booth: booth("booth-en"),
                pivot: booth("booth-es"),
                depth: Depth::OneRelay,
                already: false,
            },
        ]
    );
    assert_eq!(
        feeds(canada),
        [
            (1, from_floor("booth-es")),
            (2, relay("booth-en", "booth-es", Depth::OneRelay)),
            (3, from_floor("booth-pt")),
        ]
    );
    assert!(canada.coverage.warnings.is_empty());
    assert!(canada.coverage.duty.is_empty());
}

#[test]
fn a_handover_turns_a_double_relay_into_a_direct_even_mid_speech() {
    let mut s = Session::on_item(DEBATE);
    // Only the Spanish booth handed over, as in the outside client's run.
    s.ok(
        interpreter("booth-es"),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-2"),
        },
    );
    asks_in(&mut s, "ca", "fr");
    s.ok(chair(), Command::CallNext);
    let live = s
        .meeting
        .interpretation
        .plan(&s.meeting.definition, &lang("fr"));
    assert_eq!(
        live.warnings,
        [InterpretationWarning::DoubleRelay {
            channel: 3,
            booth: booth("booth-pt")
        }]
    );

    let now = &ahead(&s)[0];
    assert!(now.on_floor);
    assert_eq!(
        now.coverage.advice[0],
        Advice::HandOver {
            booth: booth("booth-pt"),
            from: who("pt-1"),
            to: who("pt-2"),
            language: lang("fr"),
            class: LanguageClass::C,
            mid_speech: true,
        }
    );
    assert_eq!(feeds(now)[2], (3, from_floor("booth-pt")));
    assert!(now.coverage.warnings.is_empty());

    // The booth accepts with one click; the plan now is direct.
    s.ok(
        interpreter("booth-pt"),
        Command::HandOver {
            booth: booth("booth-pt"),
            to: who("pt-2"),
        },
    );
    let live = s
        .meeting
        .interpretation
        .plan(&s.meeting.definition, &lang("fr"));
    assert!(live.warnings.is_empty(), "{:?}", live.warnings);
    let now = &ahead(&s)[0];
    // The English booth already takes relay from the Spanish one.
    assert_eq!(
        now.coverage.advice,
        [Advice::TakeRelay {
            booth: booth("booth-en"),
            pivot: booth("booth-es"),
            depth: Depth::OneRelay,
            already: true,
        }]
    );
    s.assert_replay_matches();
}

#[test]
fn a_mid_speech_handover_is_not_worth_a_single_relay_step() {
    let mut s = Session::on_item(DEBATE);
    // Brazil speaks Portuguese: the Spanish booth takes relay from English.
    asks_in(&mut s, "br", "pt");
    s.ok(chair(), Command::CallNext);
    let now = &ahead(&s)[0];
    // es-1 (B en) and es-2 (C en) both need the relay: nobody hands over.
    assert_eq!(
        now.coverage.advice,
        [Advice::TakeRelay {
            booth: booth("booth-es"),
            pivot: booth("booth-en"),
            depth: Depth::OneRelay,
            already: true,
        }]
    );
}

#[test]
fn an_undeclared_language_is_accepted_and_flagged_before_the_speaker_is_called() {
    let mut s = Session::on_item(DEBATE);
    asks_in(&mut s, "ca", "DE-ch");
    let request = s
        .meeting
        .agenda
        .current_item()
        .unwrap()
        .speakers
        .waiting()
        .next()
        .unwrap();
    assert_eq!(request.language.as_str(), "de-CH", "canonicalised");
    let canada = &ahead(&s)[0];
    assert!(!canada.coverage.interpreted);
    assert_eq!(
        canada.coverage.advice,
        [Advice::NoInterpreter {
            language: lang("de-CH")
        }]
    );
    assert_eq!(canada.coverage.warnings.len(), 3, "every channel uncovered");
    // The chair can also set it as the floor language.
    s.ok(
        chair(),
        Command::SetFloorLanguage {
            language: Some(lang("cab")),
        },
    );
    s.assert_replay_matches();
}

#[test]
fn a_regional_tag_is_covered_on_its_primary_subtag() {
    let mut s = Session::on_item(DEBATE);
    asks_in(&mut s, "hn", "es-HN");
    s.ok(chair(), Command::CallNext);
    let plan = s
        .meeting
        .interpretation
        .plan(&s.meeting.definition, &lang("es-HN"));
    assert_eq!(plan.channels[0].feed, ChannelFeed::FloorIsThisLanguage);
    assert_eq!(plan.channels[1].feed, from_floor("booth-en"));
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert!(ahead(&s)[0].coverage.advice.iter().all(|a| !matches!(
        a,
        Advice::HandOver { .. } | Advice::Uncovered { .. } | Advice::NoInterpreter { .. }
    )));
}

/// French floor. The English booth has a French native with English as B
/// (a retour from the floor) and an English native with passive Portuguese
/// (a double relay: French → Spanish → Portuguese → English).
const RETOUR_BOOTHS: &str = r#"
[[booths]]
id = "booth-es"
name = { es = "Cabina española", en = "Spanish booth" }
channel = 1
[[booths.interpreters]]
id = "es-2"
name = "Andrés Molina"
a = ["es"]
c = ["fr"]

[[booths]]
id = "booth-en"
name = { es = "Cabina inglesa", en = "English booth" }
channel = 2
[[booths.interpreters]]
id = "en-r"
name = "Claire Dubois"
a = ["fr"]
b = ["en"]
[[booths.interpreters]]
id = "en-x"
name = "Margaret Hale"
a = ["en"]
c = ["pt"]

[[booths]]
id = "booth-pt"
name = { es = "Cabina portuguesa", en = "Portuguese booth" }
channel = 3
[[booths.interpreters]]
id = "pt-1"
name = "Beatriz Campos"
a = ["pt"]
c = ["es"]
"#;

#[test]
fn a_retour_comes_after_a_double_relay() {
    let mut s = with_booths(RETOUR_BOOTHS);
    // en-r (the retour) starts on the mic; the plan moves to en-x.
    asks_in(&mut s, "ca", "fr");
    let canada = &ahead(&s)[0];
    assert_eq!(
        feeds(canada),
        [
            (1, from_floor("booth-es")),
            (2, relay("booth-en", "booth-pt", Depth::DoubleRelay)),
            (3, relay("booth-pt", "booth-es", Depth::OneRelay)),
        ]
    );
    assert_eq!(
        canada.coverage.advice[0],
        hand_over("booth-en", "en-r", "en-x", "pt", LanguageClass::C)
    );

    // Without the double relay (pt-1 loses passive Spanish) the retour is
    // the best left, and is named as one.
    let mut s = with_booths(&RETOUR_BOOTHS.replace("c = [\"es\"]", "c = []"));
    asks_in(&mut s, "ca", "fr");
    let canada = &ahead(&s)[0];
    assert_eq!(feeds(canada)[1], (2, from_floor("booth-en")));
    assert!(canada.coverage.advice.contains(&Advice::Retour {
        booth: booth("booth-en"),
        interpreter: who("en-r"),
    }));
}

#[test]
fn a_booth_with_one_interpreter_can_only_take_relay() {
    let one = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
    let start = one.find("[[booths]]").unwrap();
    let end = one.find("# --- Delegations").unwrap();
    // The Portuguese booth keeps pt-1 alone.
    let booths = &one[start..end];
    let cut = booths
        .find("[[booths.interpreters]]\nid = \"pt-2\"")
        .unwrap();
    let mut s = with_booths(&booths[..cut]);
    asks_in(&mut s, "ca", "fr");
    let canada = &ahead(&s)[0];
    assert_eq!(
        canada.coverage.handovers().collect::<Vec<_>>(),
        [&hand_over(
            "booth-es",
            "es-1",
            "es-2",
            "fr",
            LanguageClass::C
        )]
    );
    assert_eq!(
        feeds(canada)[2],
        (3, relay("booth-pt", "booth-en", Depth::DoubleRelay))
    );
    assert_eq!(
        canada.coverage.warnings,
        [InterpretationWarning::DoubleRelay {
            channel: 3,
            booth: booth("booth-pt")
        }]
    );
    // And it has nobody to hand over to by command either.
    let e = s.refused(
        interpreter("booth-pt"),
        Command::HandOver {
            booth: booth("booth-pt"),
            to: who("pt-2"),
        },
    );
    assert_eq!(e.code(), "unknown_interpreter");
}

#[test]
fn look_ahead_over_three_queued_speakers_in_three_languages() {
    let mut s = Session::on_item(DEBATE);
    asks_in(&mut s, "ca", "fr");
    asks_in(&mut s, "br", "pt");
    asks_in(&mut s, "ch", "de");
    let plan = ahead(&s);
    assert_eq!(
        plan.iter()
            .map(|p| p.delegation.to_string())
            .collect::<Vec<_>>(),
        ["ca", "br", "ch"]
    );
    // Canada: both partners with passive French take over.
    assert_eq!(plan[0].coverage.handovers().count(), 2);
    // Brazil is planned from that staffing: es-2 (C en) takes relay from
    // English, a change from Canada's plan, and nobody needs to hand back.
    assert_eq!(
        plan[1].coverage.advice,
        [Advice::TakeRelay {
            booth: booth("booth-es"),
            pivot: booth("booth-en"),
            depth: Depth::OneRelay,
            already: false,
        }]
    );
    // Switzerland in German: nobody has it, and the chair is told ahead.
    assert_eq!(
        plan[2].coverage.advice[0],
        Advice::NoInterpreter {
            language: lang("de")
        }
    );
    // Each is expected after the one before.
    let at = |i: usize| plan[i].expected_at.at(s.now);
    assert!(at(0) < at(1) && at(1) < at(2));
}

#[test]
fn a_handover_that_brings_an_interpreter_back_before_their_rest_is_warned() {
    let mut s = Session::on_item(DEBATE);
    let to = |s: &mut Session, b: &str, i: &str| {
        s.ok(
            Role::Technician,
            Command::HandOver {
                booth: booth(b),
                to: who(i),
            },
        );
    };
    to(&mut s, "booth-es", "es-2");
    s.advance(Millis::from_mins(10));
    to(&mut s, "booth-es", "es-1");
    let back_at = s.now;
    s.advance(Millis::from_mins(5));
    asks_in(&mut s, "ca", "fr");
    let canada = &ahead(&s)[0];
    // French needs es-2 back, ten minutes into a thirty-minute rest.
    assert_eq!(
        canada.coverage.advice[0],
        hand_over("booth-es", "es-1", "es-2", "fr", LanguageClass::C)
    );
    assert!(canada.coverage.duty.contains(&DutyWarning::BeforeRest {
        booth: booth("booth-es"),
        interpreter: who("es-2"),
        rested_at: back_at + Millis::from_mins(30),
    }));
}

#[test]
fn an_interpreter_past_their_turn_is_warned_and_a_rested_partner_preferred() {
    let mut s = Session::on_item(DEBATE);
    s.ok(
        interpreter("booth-en"),
        Command::HandOver {
            booth: booth("booth-en"),
            to: who("en-2"),
        },
    );
    s.advance(Millis::from_mins(40));
    // A Spanish speaker: en-1 and en-2 can both work from the floor; en-2
    // is past their turn, en-1 rested long enough: hand back. pt-1 has
    // been on the mic since the item opened, 40 minutes: pt-2 takes over.
    asks_in(&mut s, "mx", "es");
    let mexico = &ahead(&s)[0];
    assert_eq!(
        mexico.coverage.handovers().collect::<Vec<_>>(),
        [
            &hand_over("booth-en", "en-2", "en-1", "es", LanguageClass::C),
            &hand_over("booth-pt", "pt-1", "pt-2", "en", LanguageClass::C),
        ]
    );
    assert!(
        mexico.coverage.duty.is_empty(),
        "{:?}",
        mexico.coverage.duty
    );

    // With French, en-1 cannot help (no French): en-2 stays, warned.
    let mut s2 = Session::on_item(DEBATE);
    s2.ok(
        interpreter("booth-es"),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-2"),
        },
    );
    let since = s2.now;
    s2.advance(Millis::from_mins(40));
    asks_in(&mut s2, "ca", "fr");
    let canada = &ahead(&s2)[0];
    assert!(canada.coverage.duty.contains(&DutyWarning::PastTurn {
        booth: booth("booth-es"),
        interpreter: who("es-2"),
        turn_ends_at: since + Millis::from_mins(30),
    }));
}

#[test]
fn hand_over_names_the_interpreter_and_is_checked() {
    let mut s = Session::on_item(DEBATE);
    let e = s.refused(
        interpreter("booth-pt"),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-2"),
        },
    );
    assert_eq!(e.code(), "not_your_booth");
    let e = s.refused(
        interpreter("booth-es"),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-1"),
        },
    );
    assert_eq!(e.code(), "already_on_mic");
    let e = s.refused(
        chair(),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-2"),
        },
    );
    assert_eq!(e.code(), "not_permitted");
    let start = s.now;
    s.ok(
        interpreter("booth-es"),
        Command::HandOver {
            booth: booth("booth-es"),
            to: who("es-2"),
        },
    );
    let state = &s.meeting.interpretation.booths[&booth("booth-es")];
    assert_eq!(state.on_mic, 1);
    assert_eq!(state.on_mic_since, Some(start));
    assert_eq!(state.left_mic.get(&who("es-1")), Some(&start));
    s.assert_replay_matches();
}
