//! Interpretation: the relay plan for each floor language with the reference booths, the floor language, the lookahead, handovers and "slower please".
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::ids::InterpreterId;
use plenary_core::interpretation::{
    self, ChannelFeed, Depth, InterpretationWarning, RelayPlan, SlowerPlease, UpcomingWarning,
};
use plenary_core::{Command, Event, Millis, Role};
use support::{Session, booth, chair, d, delegation, from_floor, interpreter, item, lang, relay};

const DEBATE: &str = "responsibility-sharing";

fn uncovered(b: &str) -> ChannelFeed {
    ChannelFeed::Uncovered { booth: booth(b) }
}

/// The plan for `floor` with the interpreters now on the mic.
fn plan_for(s: &Session, floor: &str) -> RelayPlan {
    s.meeting
        .interpretation
        .plan(&s.meeting.definition, &lang(floor))
}

/// The plan for the language spoken on the floor now.
fn plan_now(s: &Session) -> RelayPlan {
    let floor = s
        .meeting
        .floor_language()
        .expect("a floor language")
        .clone();
    s.meeting.interpretation.plan(&s.meeting.definition, &floor)
}

fn feeds(plan: &RelayPlan) -> Vec<(u8, String, ChannelFeed)> {
    plan.channels
        .iter()
        .map(|c| (c.channel, c.language.to_string(), c.feed.clone()))
        .collect()
}

/// The debate open, `who` asks for the floor and is called.
fn speaking(who: &str) -> Session {
    let mut s = Session::on_item(DEBATE);
    s.statement(who);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some(who));
    s
}

fn handover(s: &mut Session, b: &str) {
    s.ok(interpreter(b), Command::RequestHandover { booth: booth(b) });
    s.ok(interpreter(b), Command::AcceptHandover { booth: booth(b) });
}

fn technician() -> Role {
    Role::Technician
}

#[test]
fn floor_spanish_channel_1_carries_the_floor_english_from_floor_portuguese_relays_from_english() {
    let s = speaking("hn");
    let plan = plan_now(&s);
    assert_eq!(plan.floor_language, lang("es"));
    assert_eq!(
        feeds(&plan),
        [
            (1, "es".to_owned(), ChannelFeed::FloorIsThisLanguage),
            (2, "en".to_owned(), from_floor("booth-en")),
            (
                3,
                "pt".to_owned(),
                relay("booth-pt", "booth-en", Depth::OneRelay)
            ),
        ]
    );
    assert_eq!(plan.warnings, []);
}

#[test]
fn floor_portuguese_the_spanish_booth_takes_relay_from_the_english_booth() {
    let s = speaking("br");
    let plan = plan_now(&s);
    assert_eq!(plan.floor_language, lang("pt"));
    assert_eq!(
        feeds(&plan),
        [
            (
                1,
                "es".to_owned(),
                relay("booth-es", "booth-en", Depth::OneRelay)
            ),
            (2, "en".to_owned(), from_floor("booth-en")),
            (3, "pt".to_owned(), ChannelFeed::FloorIsThisLanguage),
        ]
    );
    assert_eq!(plan.warnings, []);
}

#[test]
fn floor_english_both_other_booths_work_from_the_floor() {
    let s = speaking("ca");
    let plan = plan_now(&s);
    assert_eq!(plan.floor_language, lang("en"));
    assert_eq!(
        feeds(&plan),
        [
            (1, "es".to_owned(), from_floor("booth-es")),
            (2, "en".to_owned(), ChannelFeed::FloorIsThisLanguage),
            (3, "pt".to_owned(), from_floor("booth-pt")),
        ]
    );
    assert_eq!(plan.warnings, []);
}

#[test]
fn floor_french_with_es_1_on_the_mic_is_uncovered_on_every_channel() {
    let s = Session::reference();
    assert_eq!(
        s.meeting
            .interpretation
            .on_mic(&s.meeting.definition, &booth("booth-es"))
            .unwrap()
            .id,
        InterpreterId::new("es-1")
    );
    let plan = plan_for(&s, "fr");
    assert_eq!(
        feeds(&plan),
        [
            (1, "es".to_owned(), uncovered("booth-es")),
            (2, "en".to_owned(), uncovered("booth-en")),
            (3, "pt".to_owned(), uncovered("booth-pt")),
        ]
    );
    assert_eq!(
        plan.warnings,
        [
            InterpretationWarning::Uncovered {
                channel: 1,
                language: lang("es")
            },
            InterpretationWarning::Uncovered {
                channel: 2,
                language: lang("en")
            },
            InterpretationWarning::Uncovered {
                channel: 3,
                language: lang("pt")
            },
        ]
    );
}

#[test]
fn floor_french_after_a_handover_to_es_2_needs_one_relay_for_english_and_double_relay_for_portuguese()
 {
    let mut s = Session::on_item(DEBATE);
    handover(&mut s, "booth-es");
    assert_eq!(
        s.meeting
            .interpretation
            .on_mic(&s.meeting.definition, &booth("booth-es"))
            .unwrap()
            .id,
        InterpreterId::new("es-2")
    );
    // Canada speaks French.
    let ca = s.statement("ca");
    s.ok(
        delegation("ca"),
        Command::DeclareLanguage {
            request: ca,
            language: lang("fr"),
        },
    );
    s.ok(chair(), Command::CallNext);
    let plan = plan_now(&s);
    assert_eq!(plan.floor_language, lang("fr"));
    assert_eq!(
        feeds(&plan),
        [
            (1, "es".to_owned(), from_floor("booth-es")),
            (
                2,
                "en".to_owned(),
                relay("booth-en", "booth-es", Depth::OneRelay)
            ),
            (
                3,
                "pt".to_owned(),
                relay("booth-pt", "booth-en", Depth::DoubleRelay)
            ),
        ]
    );
    assert_eq!(
        plan.warnings,
        [InterpretationWarning::DoubleRelay {
            channel: 3,
            booth: booth("booth-pt")
        }]
    );
    s.assert_replay_matches();
}

#[test]
fn a_booth_whose_interpreter_on_the_mic_would_work_into_a_c_language_is_flagged() {
    // pt-1 becomes an English A with passive Portuguese and Spanish.
    let def = support::definition_with(|src| {
        src.replacen(
            "a = [\"pt\"]\nc = [\"en\"]",
            "a = [\"en\"]\nc = [\"pt\", \"es\"]",
            1,
        )
    });
    let s = Session::new(def);
    let plan = plan_for(&s, "es");
    assert_eq!(plan.feed_of(3), Some(&uncovered("booth-pt")));
    assert_eq!(
        plan.warnings,
        [
            InterpretationWarning::IntoCLanguage {
                booth: booth("booth-pt"),
                interpreter: InterpreterId::new("pt-1"),
                language: lang("pt"),
            },
            InterpretationWarning::Uncovered {
                channel: 3,
                language: lang("pt")
            },
        ]
    );
    // Whatever the floor speaks, the booth stays flagged.
    let plan = plan_for(&s, "pt");
    assert_eq!(
        plan.warnings.first(),
        Some(&InterpretationWarning::IntoCLanguage {
            booth: booth("booth-pt"),
            interpreter: InterpreterId::new("pt-1"),
            language: lang("pt"),
        })
    );
}

#[test]
fn the_floor_language_follows_the_speakers_declared_language() {
    let mut s = Session::on_item(DEBATE);
    assert_eq!(s.meeting.floor_language(), None, "nobody speaks yet");
    let br = s.statement("br");
    s.statement("ca");
    assert_eq!(s.request_of(br).language, lang("pt"), "Brazil's usual");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.meeting.floor_language(), Some(&lang("pt")));
    // Brazil says it will go on in Spanish.
    s.ok(
        delegation("br"),
        Command::DeclareLanguage {
            request: br,
            language: lang("es"),
        },
    );
    assert_eq!(s.meeting.floor_language(), Some(&lang("es")));
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("ca"));
    assert_eq!(s.meeting.floor_language(), Some(&lang("en")));
    s.assert_replay_matches();
}

#[test]
fn the_chair_or_technician_overrides_the_floor_language_until_the_next_speech_starts() {
    let mut s = speaking("br");
    s.statement("ca");
    s.ok(
        technician(),
        Command::SetFloorLanguage {
            language: Some(lang("es")),
        },
    );
    assert_eq!(s.meeting.floor_language(), Some(&lang("es")));
    assert_eq!(
        plan_now(&s).feed_of(1),
        Some(&ChannelFeed::FloorIsThisLanguage)
    );
    // The chair clears it: back to the speaker's language.
    s.ok(chair(), Command::SetFloorLanguage { language: None });
    assert_eq!(s.meeting.floor_language(), Some(&lang("pt")));
    s.ok(
        chair(),
        Command::SetFloorLanguage {
            language: Some(lang("fr")),
        },
    );
    assert_eq!(s.meeting.floor_language(), Some(&lang("fr")));
    // The next speech starts: the override is gone.
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.meeting.interpretation.floor_language_override, None);
    assert_eq!(s.meeting.floor_language(), Some(&lang("en")));
    // Any language, even one nobody interprets (coverage flags it).
    s.ok(
        chair(),
        Command::SetFloorLanguage {
            language: Some(lang("de")),
        },
    );
    assert_eq!(s.meeting.floor_language(), Some(&lang("de")));
    let e = s.refused(
        delegation("ca"),
        Command::SetFloorLanguage {
            language: Some(lang("es")),
        },
    );
    assert_eq!(e.code(), "not_permitted");
    s.assert_replay_matches();
}

#[test]
fn lookahead_does_not_flag_brazil_when_relay_from_english_covers_portuguese() {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    s.statement("us");
    assert_eq!(s.queue(), ["br", "us"]);
    assert_eq!(interpretation::lookahead(&s.meeting), []);
}

#[test]
fn lookahead_flags_a_queued_language_nobody_covers_naming_the_request() {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    let ca = s.statement("ca");
    s.ok(
        delegation("ca"),
        Command::DeclareLanguage {
            request: ca,
            language: lang("fr"),
        },
    );
    let uncovered_everywhere = vec![
        InterpretationWarning::Uncovered {
            channel: 1,
            language: lang("es"),
        },
        InterpretationWarning::Uncovered {
            channel: 2,
            language: lang("en"),
        },
        InterpretationWarning::Uncovered {
            channel: 3,
            language: lang("pt"),
        },
    ];
    assert_eq!(
        interpretation::lookahead(&s.meeting),
        [UpcomingWarning {
            delegation: d("ca"),
            request: Some(ca),
            language: lang("fr"),
            warnings: uncovered_everywhere,
        }]
    );
    // Once Canada is back to English, nothing is flagged.
    s.ok(
        delegation("ca"),
        Command::DeclareLanguage {
            request: ca,
            language: lang("en"),
        },
    );
    assert_eq!(interpretation::lookahead(&s.meeting), []);
}

#[test]
fn lookahead_flags_brazil_before_it_speaks_when_no_booth_can_take_portuguese() {
    // Without Portuguese in the English booth, nobody can pivot from it.
    let def =
        support::definition_with(|src| src.replacen("c = [\"es\", \"pt\"]", "c = [\"es\"]", 1));
    let mut s = Session::new(def);
    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    let br = s.statement("br");
    assert_eq!(s.speaker(), None);
    assert_eq!(
        interpretation::lookahead(&s.meeting),
        [UpcomingWarning {
            delegation: d("br"),
            request: Some(br),
            language: lang("pt"),
            warnings: vec![
                InterpretationWarning::Uncovered {
                    channel: 1,
                    language: lang("es"),
                },
                InterpretationWarning::Uncovered {
                    channel: 2,
                    language: lang("en"),
                },
            ],
        }]
    );
}

#[test]
fn a_handover_switches_the_interpreter_on_the_mic_and_restarts_the_duty_timer() {
    let mut s = Session::on_item(DEBATE);
    let duty = s.meeting.definition.rules.booth_duty;
    assert_eq!(duty, Millis::from_mins(30));
    s.advance(Millis::from_mins(25));
    let state = &s.meeting.interpretation.booths[&booth("booth-es")];
    assert_eq!(state.on_mic, 0);
    assert_eq!(
        state.duty_timer(duty, s.now).remaining(s.now),
        Millis::from_mins(5),
        "the shift started when the item opened"
    );

    let events = s.ok(
        interpreter("booth-es"),
        Command::RequestHandover {
            booth: booth("booth-es"),
        },
    );
    assert_eq!(
        events,
        [Event::HandoverRequested {
            booth: booth("booth-es")
        }]
    );
    let requested_at = s.now;
    assert_eq!(
        s.meeting.interpretation.booths[&booth("booth-es")].handover_requested,
        Some(requested_at)
    );

    s.secs(40);
    let events = s.ok(
        interpreter("booth-es"),
        Command::AcceptHandover {
            booth: booth("booth-es"),
        },
    );
    assert_eq!(
        events,
        [Event::HandoverAccepted {
            booth: booth("booth-es"),
            on_mic: 1
        }]
    );
    let state = s.meeting.interpretation.booths[&booth("booth-es")].clone();
    assert_eq!(state.on_mic, 1);
    assert_eq!(state.on_mic_since, Some(s.now));
    assert_eq!(state.handover_requested, None);
    assert_eq!(
        s.meeting
            .interpretation
            .on_mic(&s.meeting.definition, &booth("booth-es"))
            .unwrap()
            .id,
        InterpreterId::new("es-2")
    );
    assert_eq!(state.duty_timer(duty, s.now).remaining(s.now), duty);
    s.advance(Millis::from_mins(10));
    assert_eq!(
        state.duty_timer(duty, s.now).remaining(s.now),
        Millis::from_mins(20)
    );
    // Other booths are untouched.
    assert_eq!(
        s.meeting.interpretation.booths[&booth("booth-en")].on_mic,
        0
    );

    // The technician can run the next one: back to es-1.
    s.ok(
        technician(),
        Command::RequestHandover {
            booth: booth("booth-es"),
        },
    );
    s.ok(
        technician(),
        Command::AcceptHandover {
            booth: booth("booth-es"),
        },
    );
    assert_eq!(
        s.meeting.interpretation.booths[&booth("booth-es")].on_mic,
        0
    );
    s.assert_replay_matches();
}

#[test]
fn accepting_a_handover_nobody_requested_is_refused() {
    let mut s = Session::on_item(DEBATE);
    let e = s.refused(
        interpreter("booth-es"),
        Command::AcceptHandover {
            booth: booth("booth-es"),
        },
    );
    assert_eq!(e.code(), "no_handover_requested");
}

#[test]
fn requesting_a_handover_twice_is_refused() {
    let mut s = Session::on_item(DEBATE);
    s.ok(
        interpreter("booth-en"),
        Command::RequestHandover {
            booth: booth("booth-en"),
        },
    );
    s.secs(10);
    let e = s.refused(
        interpreter("booth-en"),
        Command::RequestHandover {
            booth: booth("booth-en"),
        },
    );
    assert_eq!(e.code(), "handover_already_requested");
}

#[test]
fn an_interpreter_acts_only_for_their_own_booth() {
    let mut s = Session::on_item(DEBATE);
    for command in [
        Command::RequestHandover {
            booth: booth("booth-es"),
        },
        Command::AcceptHandover {
            booth: booth("booth-es"),
        },
        Command::SlowerPlease {
            booth: booth("booth-es"),
        },
    ] {
        let e = s.refused(interpreter("booth-en"), command);
        assert_eq!(e.code(), "not_your_booth");
    }
}

#[test]
fn a_booth_with_a_single_interpreter_has_nobody_to_hand_over_to() {
    let def = support::definition_with(|src| {
        src.replacen(
            "[[booths.interpreters]]\nid = \"pt-2\"\nname = \"Rafael Nogueira\"\na = [\"pt\"]\nc = [\"en\", \"fr\"]\n",
            "",
            1,
        )
    });
    assert_eq!(def.booth(&booth("booth-pt")).unwrap().interpreters.len(), 1);
    let mut s = Session::new(def);
    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    let e = s.refused(
        interpreter("booth-pt"),
        Command::RequestHandover {
            booth: booth("booth-pt"),
        },
    );
    assert_eq!(e.code(), "no_partner");
}

#[test]
fn a_handover_in_an_unknown_booth_is_refused() {
    let mut s = Session::on_item(DEBATE);
    let e = s.refused(
        technician(),
        Command::RequestHandover {
            booth: booth("booth-fr"),
        },
    );
    assert_eq!(e.code(), "unknown_booth");
}

#[test]
fn slower_please_reaches_the_chair_as_the_booths_language_only() {
    let mut s = speaking("hn");
    s.secs(30);
    let at = s.now;
    s.ok(
        interpreter("booth-pt"),
        Command::SlowerPlease {
            booth: booth("booth-pt"),
        },
    );
    assert_eq!(
        s.meeting.interpretation.slower_please,
        [SlowerPlease {
            at,
            language: lang("pt")
        }]
    );
    // What the chair's console receives names no interpreter.
    let seen = serde_json::to_value(&s.meeting.interpretation.slower_please).unwrap();
    assert_eq!(seen, serde_json::json!([{ "at": at.0, "language": "pt" }]));

    s.secs(5);
    s.ok(
        interpreter("booth-en"),
        Command::SlowerPlease {
            booth: booth("booth-en"),
        },
    );
    let languages: Vec<&str> = s
        .meeting
        .interpretation
        .slower_please
        .iter()
        .map(|p| p.language.as_str())
        .collect();
    assert_eq!(languages, ["pt", "en"]);

    let events = s.ok(chair(), Command::AcknowledgeSlowerPlease);
    assert_eq!(events, [Event::SlowerPleaseAcknowledged]);
    assert_eq!(s.meeting.interpretation.slower_please, []);
    s.assert_replay_matches();
}

#[test]
fn acknowledging_slower_please_with_none_waiting_is_refused() {
    let mut s = Session::on_item(DEBATE);
    let e = s.refused(chair(), Command::AcknowledgeSlowerPlease);
    assert_eq!(e.code(), "nothing_to_acknowledge");
    s.ok(
        interpreter("booth-es"),
        Command::SlowerPlease {
            booth: booth("booth-es"),
        },
    );
    s.ok(chair(), Command::AcknowledgeSlowerPlease);
    let e = s.refused(chair(), Command::AcknowledgeSlowerPlease);
    assert_eq!(e.code(), "nothing_to_acknowledge");
}

#[test]
fn the_floor_language_follows_a_point_of_order_and_returns_with_the_interrupted_speaker() {
    let mut s = speaking("br");
    s.secs(60);
    s.request("mx", plenary_core::rules::RequestKind::PointOfOrder);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    assert_eq!(s.meeting.floor_language(), Some(&lang("es")));
    assert_eq!(
        plan_now(&s).feed_of(3),
        Some(&relay("booth-pt", "booth-en", Depth::OneRelay))
    );
    // An override for the point of order ends with it.
    s.ok(
        technician(),
        Command::SetFloorLanguage {
            language: Some(lang("en")),
        },
    );
    s.secs(30);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("br"));
    assert_eq!(s.meeting.interpretation.floor_language_override, None);
    assert_eq!(s.meeting.floor_language(), Some(&lang("pt")));
    assert_eq!(
        plan_now(&s).feed_of(1),
        Some(&relay("booth-es", "booth-en", Depth::OneRelay))
    );
    s.assert_replay_matches();
}
