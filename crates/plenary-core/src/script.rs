//! The scripted reference session: the afternoon of 26 October 2017 in San
//! Pedro Sula, run through the core command by command. The demo, the
//! snapshot test and the benchmarks replay it; it only uses ids of the
//! reference meeting (`config/meetings/san-pedro-sula-2017.toml`).

use crate::command::Command;
use crate::display::{ScreenTarget, View};
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenGroup, ScreenId};
use crate::roles::Role;
use crate::rules::RequestKind;
use crate::time::{Millis, Timestamp};

/// What a step is expected to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Accepted,
    /// Refused with this error code.
    Refused(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at: Timestamp,
    pub actor: Role,
    pub command: Command,
    pub expect: Expect,
}

/// Builds a script, keeping the clock and the request ids the meeting will
/// allocate (1, 2, 3… for accepted requests).
#[derive(Debug)]
struct Script {
    now: Timestamp,
    next_request: u64,
    steps: Vec<Step>,
}

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap_or_else(|_| Lang::english())
}

impl Script {
    fn wait(&mut self, by: Millis) -> &mut Self {
        self.now = self.now + by;
        self
    }

    fn mins(&mut self, m: i64) -> &mut Self {
        self.wait(Millis::from_mins(m))
    }

    fn secs(&mut self, s: i64) -> &mut Self {
        self.wait(Millis::from_secs(s))
    }

    fn push(&mut self, actor: Role, command: Command, expect: Expect) {
        self.steps.push(Step {
            at: self.now,
            actor,
            command,
            expect,
        });
    }

    fn chair(&mut self, command: Command) -> &mut Self {
        self.push(Role::Chair, command, Expect::Accepted);
        self
    }

    fn technician(&mut self, command: Command) -> &mut Self {
        self.push(Role::Technician, command, Expect::Accepted);
        self
    }

    fn ask(
        &mut self,
        who: &str,
        item: &str,
        kind: RequestKind,
        language: Option<&str>,
    ) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.push(
            Role::Delegation {
                delegation: DelegationId::new(who),
            },
            Command::RequestFloor {
                item: ItemId::new(item),
                delegation: DelegationId::new(who),
                kind,
                language: language.map(lang),
            },
            Expect::Accepted,
        );
        id
    }

    fn refused(&mut self, actor: Role, command: Command, code: &'static str) -> &mut Self {
        self.push(actor, command, Expect::Refused(code));
        self
    }
}

/// The afternoon of the first day, from the opening (started four minutes
/// late) to the end of the cooperating states' debate.
pub fn reference_half_day(start: Timestamp) -> Vec<Step> {
    let mut s = Script {
        now: start,
        next_request: 1,
        steps: Vec::new(),
    };
    let hall = ScreenTarget::Group(ScreenGroup::new("hall"));
    let both = Some(vec![lang("es"), lang("en")]);

    // 13:50 — the technician checks the screens before the opening.
    s.wait(Millis::from_mins(-10))
        .technician(Command::AssignView {
            target: ScreenTarget::All,
            view: View::Identify,
            languages: None,
        })
        .mins(2)
        .technician(Command::AssignView {
            target: hall.clone(),
            view: View::CurrentSpeaker,
            languages: both.clone(),
        })
        .technician(Command::AssignView {
            target: ScreenTarget::Screen(ScreenId::new("behind-chair")),
            view: View::SpeakersList,
            languages: both.clone(),
        })
        .technician(Command::AssignView {
            target: ScreenTarget::Group(ScreenGroup::new("overflow")),
            view: View::RunningOrder,
            languages: both.clone(),
        })
        .technician(Command::PushMessage {
            target: hall.clone(),
            text: Texts::new()
                .with("es", "Por favor, tomen asiento")
                .with("en", "Please take your seats"),
        });

    // 14:04 — opening: Honduras, UNHCR, OAS.
    s.mins(12)
        .technician(Command::ClearMessage {
            target: hall.clone(),
        })
        .chair(Command::OpenItem {
            item: ItemId::new("opening"),
        })
        .chair(Command::CallNext)
        .mins(11)
        .chair(Command::CallNext)
        .mins(9)
        .chair(Command::CallNext)
        .mins(10)
        .secs(30)
        .chair(Command::EndSpeech);

    // 14:35 — the six national operational plans, 12 minutes each.
    s.mins(1).chair(Command::NextItem).chair(Command::CallNext); // Belize
    s.mins(11).chair(Command::ExtendTimer {
        by: Millis::from_mins(2),
    });
    s.mins(3).chair(Command::CallNext); // Costa Rica; Belize used 14 of 14
    // Guatemala's minister is not in the room yet: defer.
    s.mins(12).chair(Command::DeferPresenter {
        item: ItemId::new("national-plans"),
        presenter: DelegationId::new("gt"),
    });
    s.secs(10).chair(Command::CallNext); // Honduras
    s.mins(13).chair(Command::CallNext); // Mexico (Honduras overran by 1 min)
    // An interpreter asks the speaker to slow down.
    s.mins(4).push(
        Role::Interpreter {
            booth: BoothId::new("booth-en"),
        },
        Command::SlowerPlease {
            booth: BoothId::new("booth-en"),
        },
        Expect::Accepted,
    );
    s.secs(20).chair(Command::AcknowledgeSlowerPlease);
    s.mins(8).chair(Command::CallNext); // Panama
    s.mins(12).chair(Command::CallNext); // Guatemala, deferred to the end
    s.mins(12).chair(Command::EndSpeech);
    s.refused(Role::Chair, Command::CallNext, "queue_empty");

    // 15:52 — break; the English booth hands over.
    s.mins(1)
        .chair(Command::NextItem)
        .technician(Command::PushMessage {
            target: hall.clone(),
            text: Texts::new()
                .with("es", "Pausa — 20 minutos")
                .with("en", "Break — 20 minutes"),
        });
    s.push(
        Role::Interpreter {
            booth: BoothId::new("booth-en"),
        },
        Command::RequestHandover {
            booth: BoothId::new("booth-en"),
        },
        Expect::Accepted,
    );
    s.secs(30).push(
        Role::Interpreter {
            booth: BoothId::new("booth-en"),
        },
        Command::AcceptHandover {
            booth: BoothId::new("booth-en"),
        },
        Expect::Accepted,
    );

    // 16:14 — responsibility-sharing debate, open list.
    let debate = "responsibility-sharing";
    s.mins(21)
        .technician(Command::ClearMessage { target: hall })
        .chair(Command::NextItem);
    s.secs(5);
    let us = s.ask("us", debate, RequestKind::Statement, None);
    s.secs(2);
    let _ca = s.ask("ca", debate, RequestKind::Statement, None);
    s.secs(3);
    let _br = s.ask("br", debate, RequestKind::Statement, None); // in Portuguese
    s.secs(4);
    let _mx = s.ask("mx", debate, RequestKind::Statement, None); // member state: ahead of cooperating states
    s.secs(6);
    let _co = s.ask("co", debate, RequestKind::Statement, None);
    s.refused(
        Role::Delegation {
            delegation: DelegationId::new("co"),
        },
        Command::RequestFloor {
            item: ItemId::new(debate),
            delegation: DelegationId::new("co"),
            kind: RequestKind::Statement,
            language: None,
        },
        "already_requested",
    );
    s.refused(
        Role::Delegation {
            delegation: DelegationId::new("co"),
        },
        Command::GiveFloor {
            request: RequestId(1),
        },
        "not_permitted",
    );
    s.secs(10).chair(Command::CallNext); // Mexico
    s.mins(5).secs(20).chair(Command::CallNext); // United States
    s.mins(2);
    // Panama raises a point of order: it interrupts the United States.
    let _pa = s.ask("pa", debate, RequestKind::PointOfOrder, None);
    s.secs(5).chair(Command::CallNext);
    s.mins(1).secs(30).chair(Command::CallNext); // the United States resumes
    s.mins(3).chair(Command::CallNext); // Canada
    s.mins(4).secs(50).chair(Command::CloseList {
        item: ItemId::new(debate),
    });
    s.refused(
        Role::Delegation {
            delegation: DelegationId::new("uy"),
        },
        Command::RequestFloor {
            item: ItemId::new(debate),
            delegation: DelegationId::new("uy"),
            kind: RequestKind::Statement,
            language: None,
        },
        "list_closed",
    );
    // Guatemala replies to a statement: allowed on a closed list.
    s.secs(20);
    let _gt_reply = s.ask("gt", debate, RequestKind::RightOfReply, None);
    s.secs(10).chair(Command::CallNext); // Brazil, in Portuguese: the Spanish booth takes relay
    s.mins(6).chair(Command::CallNext); // Colombia; Brazil overran by 1 min
    s.mins(4).chair(Command::CallNext); // Guatemala's right of reply
    s.mins(3).push(
        Role::Delegation {
            delegation: DelegationId::new("gt"),
        },
        Command::WithdrawRequest {
            request: RequestId(_gt_reply.0),
        },
        Expect::Accepted,
    ); // yields the floor early
    s.secs(30).push(
        Role::Delegation {
            delegation: DelegationId::new("us"),
        },
        Command::WithdrawRequest { request: us },
        Expect::Refused("request_not_waiting"),
    );
    s.steps
}
