//! Room displays: views and languages assigned to a screen, a group or all screens, pushed messages, reloads, and who may touch them.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::display::{ScreenLanguages, ScreenMessage, ScreenState, ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{ScreenGroup, ScreenId};
use plenary_core::{Command, Event, Role};
use support::{Session, chair, delegation};

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

fn langs(tags: &[&str]) -> Vec<Lang> {
    tags.iter().map(|t| lang(t)).collect()
}

fn screen(id: &str) -> ScreenTarget {
    ScreenTarget::Screen(ScreenId::new(id))
}

fn group(id: &str) -> ScreenTarget {
    ScreenTarget::Group(ScreenGroup::new(id))
}

fn technician() -> Role {
    Role::Technician
}

fn state<'a>(s: &'a Session, id: &str) -> &'a ScreenState {
    &s.meeting.displays.screens[&ScreenId::new(id)]
}

fn view_of(s: &Session, id: &str) -> View {
    state(s, id).view
}

fn languages_of(s: &Session, id: &str) -> Vec<String> {
    state(s, id)
        .languages
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect()
}

const ALL_SCREENS: [&str; 6] = [
    "behind-chair",
    "hall-left",
    "hall-right",
    "overflow",
    "podium",
    "stream",
];

fn message(text_es: &str, text_en: &str) -> Texts {
    Texts::new().with("es", text_es).with("en", text_en)
}

#[test]
fn screens_start_with_the_view_and_languages_of_the_meeting_file() {
    let s = Session::reference();
    assert_eq!(view_of(&s, "hall-left"), View::CurrentSpeaker);
    assert_eq!(view_of(&s, "behind-chair"), View::SpeakersList);
    assert_eq!(view_of(&s, "overflow"), View::RunningOrder);
    assert_eq!(languages_of(&s, "hall-left"), ["es", "en"]);
    assert_eq!(languages_of(&s, "podium"), ["es"]);
    for id in ALL_SCREENS {
        assert_eq!(state(&s, id).message, None);
        assert_eq!(state(&s, id).reloads, 0);
    }
}

#[test]
fn assigning_a_view_to_one_screen_changes_that_screen_only() {
    let mut s = Session::reference();
    let before = s.meeting.displays.clone();
    let events = s.ok(
        technician(),
        Command::AssignView {
            target: screen("hall-left"),
            view: View::Identify,
            languages: None,
        },
    );
    assert_eq!(
        events,
        [Event::ViewAssigned {
            screens: vec![ScreenId::new("hall-left")],
            view: View::Identify,
            languages: None,
        }]
    );
    assert_eq!(view_of(&s, "hall-left"), View::Identify);
    assert_eq!(
        languages_of(&s, "hall-left"),
        ["es", "en"],
        "languages unchanged when absent"
    );
    for id in ALL_SCREENS.iter().filter(|id| **id != "hall-left") {
        assert_eq!(
            s.meeting.displays.screens[&ScreenId::new(*id)],
            before.screens[&ScreenId::new(*id)]
        );
    }
    s.assert_replay_matches();
}

#[test]
fn assigning_a_view_to_the_hall_group_changes_its_three_screens() {
    let mut s = Session::reference();
    let events = s.ok(
        technician(),
        Command::AssignView {
            target: group("hall"),
            view: View::Clock,
            languages: Some(langs(&["en"])),
        },
    );
    assert_eq!(
        events,
        [Event::ViewAssigned {
            screens: vec![
                ScreenId::new("hall-left"),
                ScreenId::new("hall-right"),
                ScreenId::new("behind-chair"),
            ],
            view: View::Clock,
            languages: ScreenLanguages::new(langs(&["en"])),
        }]
    );
    for id in ["hall-left", "hall-right", "behind-chair"] {
        assert_eq!(view_of(&s, id), View::Clock);
        assert_eq!(languages_of(&s, id), ["en"]);
    }
    for id in ["podium", "overflow", "stream"] {
        assert_ne!(view_of(&s, id), View::Clock);
    }
    assert_eq!(languages_of(&s, "podium"), ["es"]);
    s.assert_replay_matches();
}

#[test]
fn assigning_a_view_to_all_screens_changes_every_screen() {
    let mut s = Session::reference();
    s.ok(
        technician(),
        Command::AssignView {
            target: ScreenTarget::All,
            view: View::Blank,
            languages: None,
        },
    );
    for id in ALL_SCREENS {
        assert_eq!(view_of(&s, id), View::Blank, "{id}");
    }
    assert_eq!(s.meeting.displays.screens.len(), ALL_SCREENS.len());
    s.assert_replay_matches();
}

#[test]
fn a_screen_shows_one_language_or_two_side_by_side() {
    let mut s = Session::reference();
    s.ok(
        technician(),
        Command::AssignView {
            target: screen("podium"),
            view: View::CurrentSpeaker,
            languages: Some(langs(&["en", "es"])),
        },
    );
    assert_eq!(
        languages_of(&s, "podium"),
        ["en", "es"],
        "in the order given"
    );
    s.ok(
        technician(),
        Command::AssignView {
            target: screen("hall-right"),
            view: View::SpeakersList,
            languages: Some(langs(&["es"])),
        },
    );
    assert_eq!(languages_of(&s, "hall-right"), ["es"]);
    assert_eq!(view_of(&s, "hall-right"), View::SpeakersList);
    // The same language twice is one language.
    s.ok(
        technician(),
        Command::AssignView {
            target: screen("stream"),
            view: View::CurrentSpeaker,
            languages: Some(langs(&["en", "en"])),
        },
    );
    assert_eq!(languages_of(&s, "stream"), ["en"]);
    s.assert_replay_matches();
}

#[test]
fn an_unknown_screen_is_refused() {
    let mut s = Session::reference();
    for command in [
        Command::AssignView {
            target: screen("hall-centre"),
            view: View::Clock,
            languages: None,
        },
        Command::PushMessage {
            target: screen("hall-centre"),
            text: message("Silencio", "Silence"),
        },
        Command::ClearMessage {
            target: screen("hall-centre"),
        },
        Command::ReloadScreens {
            target: screen("hall-centre"),
        },
    ] {
        let e = s.refused(technician(), command);
        assert_eq!(e.code(), "unknown_screen");
    }
}

#[test]
fn a_group_with_no_screens_is_refused() {
    let mut s = Session::reference();
    let e = s.refused(
        technician(),
        Command::AssignView {
            target: group("lobby"),
            view: View::Clock,
            languages: None,
        },
    );
    assert_eq!(e.code(), "no_screens");
}

#[test]
fn an_unknown_language_is_refused() {
    let mut s = Session::reference();
    let e = s.refused(
        technician(),
        Command::AssignView {
            target: group("hall"),
            view: View::CurrentSpeaker,
            languages: Some(langs(&["es", "de"])),
        },
    );
    assert_eq!(e.code(), "unknown_language");
}

#[test]
fn a_pushed_message_shows_on_the_target_screens_until_cleared() {
    let mut s = Session::on_item("opening");
    s.secs(45);
    let text = message("Por favor, tomen asiento", "Please take your seats");
    let events = s.ok(
        chair(),
        Command::PushMessage {
            target: group("hall"),
            text: text.clone(),
        },
    );
    assert_eq!(
        events,
        [Event::MessagePushed {
            screens: vec![
                ScreenId::new("hall-left"),
                ScreenId::new("hall-right"),
                ScreenId::new("behind-chair"),
            ],
            text: text.clone(),
        }]
    );
    let shown = Some(ScreenMessage {
        text: text.clone(),
        since: s.now,
    });
    for id in ["hall-left", "hall-right", "behind-chair"] {
        assert_eq!(state(&s, id).message, shown, "{id}");
    }
    assert_eq!(state(&s, "overflow").message, None);

    // Clearing one screen leaves the others.
    s.secs(10);
    s.ok(
        technician(),
        Command::ClearMessage {
            target: screen("hall-left"),
        },
    );
    assert_eq!(state(&s, "hall-left").message, None);
    assert_eq!(state(&s, "hall-right").message, shown);

    s.ok(
        Role::Secretariat,
        Command::ClearMessage {
            target: ScreenTarget::All,
        },
    );
    for id in ALL_SCREENS {
        assert_eq!(state(&s, id).message, None);
    }
    s.assert_replay_matches();
}

#[test]
fn an_empty_message_is_refused() {
    let mut s = Session::reference();
    for text in [Texts::new(), Texts::new().with("es", "").with("en", "   ")] {
        let e = s.refused(
            chair(),
            Command::PushMessage {
                target: ScreenTarget::All,
                text,
            },
        );
        assert_eq!(e.code(), "empty_message");
    }
}

#[test]
fn reloading_bumps_the_reload_counter_of_the_target_screens() {
    let mut s = Session::reference();
    s.ok(
        technician(),
        Command::ReloadScreens {
            target: screen("podium"),
        },
    );
    s.ok(
        technician(),
        Command::ReloadScreens {
            target: ScreenTarget::All,
        },
    );
    s.ok(
        technician(),
        Command::ReloadScreens {
            target: group("hall"),
        },
    );
    let reloads: Vec<(&str, u32)> = ALL_SCREENS
        .iter()
        .map(|id| (*id, state(&s, id).reloads))
        .collect();
    assert_eq!(
        reloads,
        [
            ("behind-chair", 2),
            ("hall-left", 2),
            ("hall-right", 2),
            ("overflow", 1),
            ("podium", 2),
            ("stream", 1),
        ]
    );
    s.assert_replay_matches();
}

#[test]
fn delegations_screens_and_the_public_may_not_touch_displays() {
    let mut s = Session::reference();
    let roles = [
        delegation("hn"),
        Role::Screen {
            screen: ScreenId::new("hall-left"),
        },
        Role::Public,
    ];
    let commands = [
        Command::AssignView {
            target: screen("hall-left"),
            view: View::Blank,
            languages: None,
        },
        Command::PushMessage {
            target: ScreenTarget::All,
            text: message("Hola", "Hello"),
        },
        Command::ClearMessage {
            target: ScreenTarget::All,
        },
        Command::ReloadScreens {
            target: ScreenTarget::All,
        },
    ];
    for role in roles {
        for command in commands.clone() {
            let e = s.refused(role.clone(), command);
            assert_eq!(e.code(), "not_permitted", "{role:?}");
        }
    }
}

#[test]
fn views_and_reloads_are_the_technicians_while_messages_are_also_the_chairs() {
    let mut s = Session::reference();
    for role in [chair(), Role::Secretariat] {
        let e = s.refused(
            role.clone(),
            Command::AssignView {
                target: ScreenTarget::All,
                view: View::Blank,
                languages: None,
            },
        );
        assert_eq!(e.code(), "not_permitted");
        let e = s.refused(
            role.clone(),
            Command::ReloadScreens {
                target: ScreenTarget::All,
            },
        );
        assert_eq!(e.code(), "not_permitted");
        s.ok(
            role,
            Command::PushMessage {
                target: screen("overflow"),
                text: message("Pausa de 20 minutos", "20-minute break"),
            },
        );
    }
}
