//! Rules of procedure: every rule of the speakers list that varies between
//! bodies is a field here, with presets taken from real practice.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Texts;
use crate::time::Millis;
use crate::timer::Thresholds;

/// Who a delegation is, for precedence and time limits.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A member or participating state (in the CRPSF: the six countries).
    MemberState,
    CooperatingState,
    InternationalOrganisation,
    RegionalBody,
    CivilSociety,
    Observer,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::MemberState,
        Category::CooperatingState,
        Category::InternationalOrganisation,
        Category::RegionalBody,
        Category::CivilSociety,
        Category::Observer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::MemberState => "member_state",
            Category::CooperatingState => "cooperating_state",
            Category::InternationalOrganisation => "international_organisation",
            Category::RegionalBody => "regional_body",
            Category::CivilSociety => "civil_society",
            Category::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a delegation asks the floor for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum RequestKind {
    Statement,
    /// Jumps the queue, even when the list is closed (UN GA rule 71).
    PointOfOrder,
    /// Granted even after the list is closed, limited in number and length.
    RightOfReply,
    /// A kind defined by the meeting's rules, e.g. `question` / `answer`
    /// (the European Parliament's "blue card").
    Extra(String),
}

impl RequestKind {
    pub fn as_str(&self) -> &str {
        match self {
            RequestKind::Statement => "statement",
            RequestKind::PointOfOrder => "point_of_order",
            RequestKind::RightOfReply => "right_of_reply",
            RequestKind::Extra(s) => s,
        }
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for RequestKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Ok(match s.as_str() {
            "statement" => RequestKind::Statement,
            "point_of_order" => RequestKind::PointOfOrder,
            "right_of_reply" => RequestKind::RightOfReply,
            "" => return Err("a request kind cannot be empty".to_owned()),
            _ => RequestKind::Extra(s),
        })
    }
}

impl From<RequestKind> for String {
    fn from(k: RequestKind) -> String {
        k.as_str().to_owned()
    }
}

/// How waiting statements are ordered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum QueueOrder {
    /// Strictly by time of request (UN GA rule 68).
    RequestTime,
    /// By category in the given order, then by time of request (UN general
    /// debate practice: member states first, observers "time permitting").
    /// Categories not listed come last.
    CategoryPrecedence { categories: Vec<Category> },
}

impl QueueOrder {
    /// Rank of a category: lower is called earlier.
    pub fn rank(&self, category: Category) -> usize {
        match self {
            QueueOrder::RequestTime => 0,
            QueueOrder::CategoryPrecedence { categories } => categories
                .iter()
                .position(|c| *c == category)
                .unwrap_or(categories.len()),
        }
    }
}

/// Where rights of reply wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyPosition {
    /// After every waiting statement: replies are heard at the end of the item.
    EndOfList,
    /// Among statements by time of request.
    InOrder,
}

/// What happens when a speaker's time is up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUpPolicy {
    /// The countdown goes into overtime; the chair calls the speaker to order.
    Overtime,
    /// The floor is taken back automatically (logged as "ended by time").
    EndSpeech,
}

/// A request kind the meeting adds, e.g. a question to the current speaker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExtraKind {
    pub id: String,
    pub name: Texts,
    pub limit: Millis,
    /// Whether it may be requested once the list is closed.
    pub allowed_when_closed: bool,
    /// Called before waiting statements (as a question to the current
    /// speaker is), rather than among them.
    pub precedes_statements: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RightOfReplyRules {
    /// One limit per reply a delegation may make in an item: the preset
    /// `[10 min, 5 min]` allows two, the first up to 10 minutes.
    pub limits: Vec<Millis>,
    pub position: ReplyPosition,
}

impl RightOfReplyRules {
    pub fn max_per_item(&self) -> usize {
        self.limits.len()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointOfOrderRules {
    /// Calling a point of order while someone speaks pauses that speaker,
    /// who resumes with what was left once the point is dealt with.
    pub interrupts: bool,
    pub limit: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rules {
    /// The preset these rules started from, for people reading them.
    pub preset: Preset,
    pub order: QueueOrder,
    /// At most one waiting statement (or extra kind) per delegation and item.
    pub one_request_per_delegation: bool,
    pub point_of_order: PointOfOrderRules,
    pub right_of_reply: RightOfReplyRules,
    /// Statement time limits by category; an item may override them.
    pub statement_limits: BTreeMap<Category, Millis>,
    pub default_statement_limit: Millis,
    pub extra_kinds: Vec<ExtraKind>,
    pub thresholds: Thresholds,
    pub on_time_up: TimeUpPolicy,
    /// How long an interpreter stays on the mic before handing over.
    pub booth_duty: Millis,
    /// How long an interpreter rests before taking the mic again.
    #[serde(default = "default_booth_rest")]
    pub booth_rest: Millis,
}

fn default_booth_rest() -> Millis {
    Millis::from_mins(30)
}

/// Named starting points for [`Rules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// UN General Assembly practice: requests by time with member states
    /// first, rights of reply 10 then 5 minutes at the end of the item,
    /// 5-minute statements.
    UnGeneralAssembly,
    /// OAS model rules: strictly by time of request, replies 5 then 3.
    Oas,
    /// UN practice plus the European Parliament's blue card: a 30 s
    /// question to the current speaker and a 30 s answer.
    BlueCard,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::UnGeneralAssembly, Preset::Oas, Preset::BlueCard];

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::UnGeneralAssembly => "un-general-assembly",
            Preset::Oas => "oas",
            Preset::BlueCard => "blue-card",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn rules(self) -> Rules {
        let un = Rules {
            preset: self,
            order: QueueOrder::CategoryPrecedence {
                categories: vec![
                    Category::MemberState,
                    Category::CooperatingState,
                    Category::RegionalBody,
                    Category::InternationalOrganisation,
                    Category::CivilSociety,
                    Category::Observer,
                ],
            },
            one_request_per_delegation: true,
            point_of_order: PointOfOrderRules {
                interrupts: true,
                limit: Millis::from_mins(2),
            },
            right_of_reply: RightOfReplyRules {
                limits: vec![Millis::from_mins(10), Millis::from_mins(5)],
                position: ReplyPosition::EndOfList,
            },
            statement_limits: BTreeMap::new(),
            default_statement_limit: Millis::from_mins(5),
            extra_kinds: Vec::new(),
            thresholds: Thresholds::default(),
            on_time_up: TimeUpPolicy::Overtime,
            booth_duty: Millis::from_mins(30),
            booth_rest: default_booth_rest(),
        };
        match self {
            Preset::UnGeneralAssembly => un,
            Preset::Oas => Rules {
                order: QueueOrder::RequestTime,
                right_of_reply: RightOfReplyRules {
                    limits: vec![Millis::from_mins(5), Millis::from_mins(3)],
                    position: ReplyPosition::EndOfList,
                },
                ..un
            },
            Preset::BlueCard => Rules {
                extra_kinds: vec![
                    ExtraKind {
                        id: "question".to_owned(),
                        name: Texts::new().with("en", "Question").with("es", "Pregunta"),
                        limit: Millis::from_secs(30),
                        allowed_when_closed: true,
                        precedes_statements: true,
                    },
                    ExtraKind {
                        id: "answer".to_owned(),
                        name: Texts::new().with("en", "Answer").with("es", "Respuesta"),
                        limit: Millis::from_secs(30),
                        allowed_when_closed: true,
                        precedes_statements: true,
                    },
                ],
                ..un
            },
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Preset::UnGeneralAssembly.rules()
    }
}

impl Rules {
    pub fn extra_kind(&self, id: &str) -> Option<&ExtraKind> {
        self.extra_kinds.iter().find(|k| k.id == id)
    }

    /// Every kind of request these rules know, in display order: the three
    /// standard ones, then the rules' own.
    pub fn request_kinds(&self) -> impl Iterator<Item = RequestKind> + '_ {
        [
            RequestKind::Statement,
            RequestKind::PointOfOrder,
            RequestKind::RightOfReply,
        ]
        .into_iter()
        .chain(
            self.extra_kinds
                .iter()
                .map(|k| RequestKind::Extra(k.id.clone())),
        )
    }

    /// Whether `kind` exists under these rules.
    pub fn knows(&self, kind: &RequestKind) -> bool {
        match kind {
            RequestKind::Extra(id) => self.extra_kind(id).is_some(),
            _ => true,
        }
    }

    /// Whether `kind` may still be requested once the list is closed.
    pub fn allowed_when_closed(&self, kind: &RequestKind) -> bool {
        match kind {
            RequestKind::Statement => false,
            RequestKind::PointOfOrder | RequestKind::RightOfReply => true,
            RequestKind::Extra(id) => self.extra_kind(id).is_some_and(|k| k.allowed_when_closed),
        }
    }

    /// The statement limit for a category, before any item override.
    pub fn statement_limit(&self, category: Category) -> Millis {
        self.statement_limits
            .get(&category)
            .copied()
            .unwrap_or(self.default_statement_limit)
    }
}
