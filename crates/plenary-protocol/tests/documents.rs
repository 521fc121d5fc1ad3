//! What the view documents say, derived from real states of the reference
//! meeting: the relay plan ahead for a booth and the chair, the interrupted
//! speaker in every display's "next", a delegation's own requests and what
//! it may ask for, and a screen's content following its view.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

use std::sync::Arc;

use plenary_core::definition::load_str;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::Lang;
use plenary_core::ids::{BoothId, DelegationId, ItemId, ScreenId};
use plenary_core::interpretation::{ChannelFeed, Depth, Source};
use plenary_core::projections::{Turn, Verdict};
use plenary_core::rules::RequestKind;
use plenary_core::{Command, Meeting, Millis, Role, Timestamp, execute};
use plenary_protocol::views::{self, ScreenContent, SurfaceView, ViewKey};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
const DEBATE: &str = "responsibility-sharing";
const T0: Timestamp = Timestamp(1_509_048_000_000);

struct Hall {
    meeting: Meeting,
    now: Timestamp,
}

impl Hall {
    fn debate() -> Hall {
        let definition = load_str("reference.toml", REFERENCE).unwrap();
        let mut hall = Hall {
            meeting: Meeting::new(Arc::new(definition), 1, T0),
            now: T0,
        };
        hall.chair(Command::OpenItem {
            item: ItemId::new(DEBATE),
        });
        hall
    }

    fn run(&mut self, actor: Role, command: Command) {
        self.now = self.now + Millis::from_secs(10);
        execute(&mut self.meeting, &actor, &command, self.now)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }

    fn chair(&mut self, command: Command) {
        self.run(Role::Chair, command);
    }

    fn ask(&mut self, who: &str, kind: RequestKind) {
        self.run(
            Role::Delegation {
                delegation: DelegationId::new(who),
            },
            Command::RequestFloor {
                item: ItemId::new(DEBATE),
                delegation: DelegationId::new(who),
                kind,
                language: None,
            },
        );
    }

    fn view(&self, key: ViewKey) -> SurfaceView {
        views::derive(&self.meeting, &key).unwrap()
    }

    fn screen(&self, id: &str) -> views::ScreenView {
        match self.view(ViewKey::Screen(ScreenId::new(id))) {
            SurfaceView::Screen(screen) => screen,
            other => panic!("a screen document, not {other:?}"),
        }
    }
}

fn booth_es() -> BoothId {
    BoothId::new("booth-es")
}

#[test]
fn booths_and_the_chair_see_the_relay_plan_for_the_speakers_ahead() {
    let mut hall = Hall::debate();
    hall.ask("us", RequestKind::Statement);
    hall.ask("br", RequestKind::Statement);
    hall.chair(Command::CallNext);
    // The United States speaks English; Brazil, next, Portuguese: the
    // Spanish booth (no Portuguese) will take relay from the English booth.
    let SurfaceView::Booth(booth) = hall.view(ViewKey::Booth(booth_es())) else {
        panic!("a booth document")
    };
    assert_eq!(booth.floor_language, Some(Lang::parse("en").unwrap()));
    assert!(matches!(
        booth.feed,
        Some(ChannelFeed::Booth {
            source: Source::Floor,
            ..
        })
    ));
    let brazil = &booth.ahead[0];
    assert_eq!(brazil.delegation.as_str(), "br");
    assert_eq!(
        brazil.feed,
        Some(ChannelFeed::Booth {
            booth: booth_es(),
            source: Source::Relay {
                booth: BoothId::new("booth-en")
            },
            depth: Depth::OneRelay,
        })
    );
    let SurfaceView::Presiding(chair) = hall.view(ViewKey::Presiding) else {
        panic!("a presiding document")
    };
    let ahead = &chair.interpretation.ahead[0];
    assert_eq!(ahead.language.as_str(), "pt");
    assert_eq!(
        ahead.channels,
        hall.meeting
            .interpretation
            .plan(&hall.meeting.definition, &Lang::parse("pt").unwrap())
            .channels
    );
}

#[test]
fn every_display_shows_the_interrupted_speaker_next_after_a_point_of_order() {
    let mut hall = Hall::debate();
    hall.ask("hn", RequestKind::Statement);
    hall.ask("ar", RequestKind::Statement);
    hall.chair(Command::CallNext);
    hall.ask("gt", RequestKind::PointOfOrder);
    hall.chair(Command::CallNext);
    let SurfaceView::Public(public) = hall.view(ViewKey::Public) else {
        panic!("a public document")
    };
    assert_eq!(public.floor.as_ref().unwrap().delegation.as_str(), "gt");
    let next: Vec<_> = public
        .next
        .iter()
        .map(|n| (n.delegation.as_str(), &n.turn))
        .collect();
    assert!(matches!(next[0], ("hn", Turn::Resumes { .. })), "{next:?}");
    assert_eq!(next[1].0, "ar");
    let screen = hall.screen("hall-left");
    let ScreenContent::CurrentSpeaker { next, .. } = screen.content else {
        panic!("the current-speaker view")
    };
    assert_eq!(next[0].delegation.as_str(), "hn");
}

#[test]
fn a_delegation_sees_its_requests_its_place_and_why_it_may_not_ask_again() {
    let mut hall = Hall::debate();
    hall.ask("us", RequestKind::Statement);
    hall.ask("hn", RequestKind::Statement);
    let SurfaceView::Delegation(hn) = hall.view(ViewKey::Delegation(DelegationId::new("hn")))
    else {
        panic!("a delegation document")
    };
    // Honduras (a member state) goes before the United States.
    assert_eq!(hn.mine[0].place, Some(1));
    assert!(
        matches!(&hn.may_request[0].verdict, Verdict::Refused { code, .. } if code == "already_requested")
    );
    assert!(matches!(hn.may_request[1].verdict, Verdict::Allowed { .. }));
    hall.chair(Command::CloseList {
        item: ItemId::new(DEBATE),
    });
    let SurfaceView::Delegation(br) = hall.view(ViewKey::Delegation(DelegationId::new("br")))
    else {
        panic!("a delegation document")
    };
    assert!(br.mine.is_empty());
    assert!(
        matches!(&br.may_request[0].verdict, Verdict::Refused { code, .. } if code == "list_closed")
    );
}

#[test]
fn a_screen_document_holds_only_what_its_view_shows() {
    let mut hall = Hall::debate();
    let podium = ScreenId::new("podium");
    for (view, expect) in [
        (View::RunningOrder, "running_order"),
        (View::Clock, "clock"),
        (View::InterpretationLegend, "interpretation_legend"),
    ] {
        hall.run(
            Role::Technician,
            Command::AssignView {
                target: ScreenTarget::Screen(podium.clone()),
                view,
                languages: None,
            },
        );
        let document = serde_json::to_value(hall.view(ViewKey::Screen(podium.clone()))).unwrap();
        assert_eq!(document["content"]["view"], expect);
        let keys: Vec<_> = document["content"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        match view {
            View::RunningOrder => assert_eq!(keys, ["schedule", "view"]),
            View::Clock => assert_eq!(keys, ["view"]),
            _ => assert_eq!(keys, ["channels", "floor_language", "view"]),
        }
    }
}

impl Hall {
    fn ask_in(&mut self, who: &str, language: &str) {
        self.run(
            Role::Delegation {
                delegation: DelegationId::new(who),
            },
            Command::RequestFloor {
                item: ItemId::new(DEBATE),
                delegation: DelegationId::new(who),
                kind: RequestKind::Statement,
                language: Some(Lang::parse(language).unwrap()),
            },
        );
    }
}

fn es() -> Lang {
    Lang::parse("es").unwrap()
}

fn en() -> Lang {
    Lang::parse("en").unwrap()
}

#[test]
fn the_chair_reads_the_recommended_handovers_in_both_languages_before_canada_speaks() {
    let mut hall = Hall::debate();
    hall.ask_in("ca", "fr");
    let SurfaceView::Presiding(chair) = hall.view(ViewKey::Presiding) else {
        panic!("a presiding document")
    };
    let canada = &chair.interpretation.coverage[0];
    assert!(!canada.on_floor);
    let texts: Vec<(&str, &str)> = canada
        .advice
        .iter()
        .map(|a| (a.text.get(&es()).unwrap(), a.text.get(&en()).unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "Cabina española: relevo a Andrés Molina (C fr) antes de que hable Canadá",
                "Spanish booth: hand over to Andrés Molina (C fr) before Canada speaks"
            ),
            (
                "Cabina portuguesa: relevo a Rafael Nogueira (C fr) antes de que hable Canadá",
                "Portuguese booth: hand over to Rafael Nogueira (C fr) before Canada speaks"
            ),
            (
                "Cabina inglesa: tomar el relé de Cabina española",
                "English booth: take relay from Spanish booth"
            ),
        ]
    );
    // The technician sees the same; each booth only what is asked of it.
    let SurfaceView::Technician(tech) = hall.view(ViewKey::Technician) else {
        panic!("a technician document")
    };
    assert_eq!(tech.interpretation.coverage, chair.interpretation.coverage);
    let SurfaceView::Booth(booth) = hall.view(ViewKey::Booth(BoothId::new("booth-pt"))) else {
        panic!("a booth document")
    };
    assert_eq!(booth.coverage[0].advice.len(), 1);
    assert_eq!(
        booth.coverage[0].advice[0].text.get(&en()),
        Some("Portuguese booth: hand over to Rafael Nogueira (C fr) before Canada speaks")
    );
}

#[test]
fn a_speaker_in_a_language_nobody_interprets_is_flagged_ahead_and_on_the_room_screens() {
    let mut hall = Hall::debate();
    hall.ask_in("ch", "de");
    let SurfaceView::Presiding(chair) = hall.view(ViewKey::Presiding) else {
        panic!("a presiding document")
    };
    let switzerland = &chair.interpretation.coverage[0];
    assert!(!switzerland.interpreted);
    assert_eq!(
        switzerland.advice[0].text.get(&es()),
        Some("Sin interpretación para de: ningún intérprete lo tiene")
    );
    hall.chair(Command::CallNext);
    let screen = hall.screen("hall-left");
    match screen.content {
        ScreenContent::CurrentSpeaker { floor, .. } => {
            assert!(floor.unwrap().uninterpreted);
        }
        other => panic!("hall-left shows the current speaker: {other:?}"),
    }
    hall.run(
        Role::Technician,
        Command::AssignView {
            target: ScreenTarget::Screen(ScreenId::new("hall-left")),
            view: View::InterpretationLegend,
            languages: None,
        },
    );
    let screen = hall.screen("hall-left");
    assert!(matches!(
        screen.content,
        ScreenContent::InterpretationLegend {
            uninterpreted: true,
            ..
        }
    ));
    // Spanish from Honduras, as es-HN, is interpreted: nothing said.
    let mut hall = Hall::debate();
    hall.ask_in("hn", "es-HN");
    hall.chair(Command::CallNext);
    let screen = hall.screen("hall-left");
    let ScreenContent::CurrentSpeaker { floor, .. } = screen.content else {
        panic!("current speaker")
    };
    assert!(!floor.unwrap().uninterpreted);
}
