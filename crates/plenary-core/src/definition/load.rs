//! Loading a meeting definition from TOML, with errors that name the file,
//! the line and the field, so the secretariat can fix the file the evening
//! before.
//!
//! The file is first read into `Raw*` structs that keep the source span of
//! every value that needs checking; [`Loader`] then turns them into the
//! validated [`MeetingDefinition`], collecting every error rather than
//! stopping at the first. The field path of an error (`agenda[3].schedule[1].delegation`)
//! is read off the source text at the error's position, in one place: [`field_path_at`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{
    BoothDefinition, Channel, Delegation, Interpreter, ItemDefinition, ItemKind, MeetingDefinition,
    Presenter, ScreenDefinition,
};
use crate::display::{ScreenLanguages, View};
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, InterpreterId, ItemId, MeetingId, ScreenGroup, ScreenId};
use crate::rules::{Category, ExtraKind, Preset, QueueOrder, ReplyPosition, Rules, TimeUpPolicy};
use crate::time::{Millis, Timestamp};
use crate::timer::Thresholds;
use crate::zone::ZoneName;

/// What is wrong with a definition, as a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionErrorCode {
    /// Not TOML, an unknown or missing field, or a value of the wrong type.
    InvalidToml,
    DuplicateId,
    InvalidId,
    UnknownDelegation,
    UnknownChannel,
    UnknownCategory,
    UnknownPreset,
    UnknownValue,
    InvalidLanguage,
    InvalidDuration,
    InvalidDatetime,
    EmptyText,
    EmptyList,
    /// A booth whose interpreter has no A language.
    NoALanguage,
    /// Two booths on one channel, or a channel number out of order.
    ChannelConflict,
    MissingPlannedStart,
    /// A time zone the IANA database does not know.
    UnknownTimeZone,
}

impl DefinitionErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidToml => "invalid_toml",
            Self::DuplicateId => "duplicate_id",
            Self::InvalidId => "invalid_id",
            Self::UnknownDelegation => "unknown_delegation",
            Self::UnknownChannel => "unknown_channel",
            Self::UnknownCategory => "unknown_category",
            Self::UnknownPreset => "unknown_preset",
            Self::UnknownValue => "unknown_value",
            Self::InvalidLanguage => "invalid_language",
            Self::InvalidDuration => "invalid_duration",
            Self::InvalidDatetime => "invalid_datetime",
            Self::EmptyText => "empty_text",
            Self::EmptyList => "empty_list",
            Self::NoALanguage => "no_a_language",
            Self::ChannelConflict => "channel_conflict",
            Self::MissingPlannedStart => "missing_planned_start",
            Self::UnknownTimeZone => "unknown_time_zone",
        }
    }
}

/// One error in a definition file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DefinitionError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Where in the document, e.g. `agenda[2].schedule[0].delegation`.
    pub field: String,
    pub code: DefinitionErrorCode,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    /// `file:line:column: field: message [code]`, as compilers print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {} [{}]",
            self.file,
            self.line,
            self.column,
            self.field,
            self.message,
            self.code.as_str()
        )
    }
}

impl std::error::Error for DefinitionError {}

/// Parses and validates a definition. `file` names the source in errors.
/// Returns every error found, in file order.
pub fn load_str(file: &str, source: &str) -> Result<MeetingDefinition, Vec<DefinitionError>> {
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            return Err(vec![error_at(
                file,
                source,
                span,
                DefinitionErrorCode::InvalidToml,
                e.message().trim().to_owned(),
            )]);
        }
    };
    let mut loader = Loader {
        file,
        source,
        errors: Vec::new(),
    };
    let definition = loader.definition(&raw);
    if loader.errors.is_empty() {
        Ok(definition)
    } else {
        loader.errors.sort_by_key(|e| (e.line, e.column));
        Err(loader.errors)
    }
}

fn error_at(
    file: &str,
    source: &str,
    span: Range<usize>,
    code: DefinitionErrorCode,
    message: String,
) -> DefinitionError {
    let (line, column) = line_column(source, span.start);
    DefinitionError {
        file: file.to_owned(),
        line,
        column,
        field: field_path_at(source, span.start),
        code,
        message,
    }
}

fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The dotted path of the value at `offset`, from the table headers above it
/// and the key on its line: `delegations[4].category`.
pub(crate) fn field_path_at(source: &str, offset: usize) -> String {
    let before = &source[..offset.min(source.len())];
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut table = String::new();
    for line in before.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_owned();
            counts.retain(|k, _| !k.starts_with(&format!("{name}.")));
            *counts.entry(name.clone()).or_insert(0) += 1;
            table = indexed_path(&name, &counts);
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = indexed_path(name.trim(), &counts);
        }
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[line_start..]
        .find('\n')
        .map_or(source.len(), |i| line_start + i);
    let line = source[line_start..line_end].trim();
    let key = if line.starts_with('[') {
        None
    } else {
        line.split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_owned())
    };
    match (table.is_empty(), key) {
        (_, None) => table,
        (true, Some(k)) => k,
        (false, Some(k)) => format!("{table}.{k}"),
    }
}

/// `agenda.schedule` with counts {agenda: 3, agenda.schedule: 2} →
/// `agenda[2].schedule[1]`.
fn indexed_path(name: &str, counts: &BTreeMap<String, usize>) -> String {
    let mut path = String::new();
    let mut prefix = String::new();
    for part in name.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
            path.push('.');
        }
        prefix.push_str(part);
        path.push_str(part);
        if let Some(n) = counts.get(&prefix) {
            path.push_str(&format!("[{}]", n.saturating_sub(1)));
        }
    }
    path
}

// ---------------------------------------------------------------------------
// The file as written.

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    meeting: RawMeeting,
    #[serde(default)]
    rules: Option<RawRules>,
    #[serde(default)]
    channels: Vec<RawChannel>,
    #[serde(default)]
    booths: Vec<RawBooth>,
    delegations: Vec<RawDelegation>,
    agenda: Vec<RawItem>,
    #[serde(default)]
    screens: Vec<RawScreen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeeting {
    id: S<String>,
    title: S<BTreeMap<String, String>>,
    #[serde(default)]
    venue: Option<S<BTreeMap<String, String>>>,
    languages: S<Vec<S<String>>>,
    #[serde(default)]
    time_zone: Option<S<String>>,
    #[serde(default = "yes")]
    public_view_open: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    preset: Option<S<String>>,
    /// `request_time` or `category_precedence`.
    #[serde(default)]
    order: Option<S<String>>,
    #[serde(default)]
    precedence: Option<Vec<S<String>>>,
    #[serde(default)]
    one_request_per_delegation: Option<bool>,
    #[serde(default)]
    statement_limit: Option<S<String>>,
    #[serde(default)]
    statement_limits: Option<BTreeMap<String, S<String>>>,
    #[serde(default)]
    point_of_order_interrupts: Option<bool>,
    #[serde(default)]
    point_of_order_limit: Option<S<String>>,
    #[serde(default)]
    right_of_reply_limits: Option<Vec<S<String>>>,
    #[serde(default)]
    right_of_reply_position: Option<S<String>>,
    #[serde(default)]
    warning: Option<S<String>>,
    #[serde(rename = "final", default)]
    final_: Option<S<String>>,
    #[serde(default)]
    on_time_up: Option<S<String>>,
    #[serde(default)]
    booth_duty: Option<S<String>>,
    #[serde(default)]
    booth_rest: Option<S<String>>,
    #[serde(default)]
    extra_kinds: Option<Vec<RawExtraKind>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtraKind {
    id: S<String>,
    name: S<BTreeMap<String, String>>,
    limit: S<String>,
    #[serde(default)]
    allowed_when_closed: bool,
    #[serde(default)]
    precedes_statements: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    number: S<i64>,
    language: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBooth {
    id: S<String>,
    name: S<BTreeMap<String, String>>,
    channel: S<i64>,
    interpreters: S<Vec<RawInterpreter>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterpreter {
    id: S<String>,
    name: String,
    #[serde(default)]
    a: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    b: Vec<S<String>>,
    #[serde(default)]
    c: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelegation {
    id: S<String>,
    name: S<BTreeMap<String, String>>,
    category: S<String>,
    floor_language: S<String>,
    #[serde(default)]
    seat: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: S<String>,
    kind: S<String>,
    title: S<BTreeMap<String, String>>,
    #[serde(default)]
    planned_start: Option<S<toml::Value>>,
    duration: S<String>,
    #[serde(default)]
    time_limits: BTreeMap<String, S<String>>,
    #[serde(default = "yes")]
    list_open: bool,
    #[serde(default)]
    schedule: Vec<RawPresenter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPresenter {
    delegation: S<String>,
    allotted: S<String>,
    #[serde(default)]
    language: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreen {
    id: S<String>,
    name: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    groups: Vec<S<String>>,
    #[serde(default)]
    view: Option<S<String>>,
    #[serde(default)]
    languages: Option<S<Vec<S<String>>>>,
}

// ---------------------------------------------------------------------------
// Validation.

struct Loader<'a> {
    file: &'a str,
    source: &'a str,
    errors: Vec<DefinitionError>,
}

impl Loader<'_> {
    fn fail(&mut self, span: Range<usize>, code: DefinitionErrorCode, message: String) {
        self.errors
            .push(error_at(self.file, self.source, span, code, message));
    }

    fn definition(&mut self, raw: &RawFile) -> MeetingDefinition {
        let id = self.slug(&raw.meeting.id, "meeting id");
        let languages = self.languages(&raw.meeting.languages, "the meeting");
        let title = self.texts(&raw.meeting.title, "title");
        let time_zone = raw
            .meeting
            .time_zone
            .as_ref()
            .map(|z| self.time_zone(z))
            .unwrap_or_default();
        let venue = raw
            .meeting
            .venue
            .as_ref()
            .map(|v| self.texts(v, "venue"))
            .unwrap_or_default();
        let rules = self.rules(raw.rules.as_ref());
        let channels = self.channels(&raw.channels);
        let booths = self.booths(&raw.booths, &raw.channels, &channels);
        let delegations = self.delegations(&raw.delegations);
        // References are checked against the ids as written, so that one
        // mistake in a delegation does not cascade into its references.
        let delegation_ids: BTreeSet<&str> = raw
            .delegations
            .iter()
            .map(|d| d.id.get_ref().as_str())
            .collect();
        let agenda = self.agenda(&raw.agenda, &delegation_ids);
        let screens = self.screens(&raw.screens, &languages);
        MeetingDefinition {
            id: MeetingId(id),
            title,
            venue,
            languages,
            time_zone,
            public_view_open: raw.meeting.public_view_open,
            delegations: delegations.into(),
            agenda: agenda.into(),
            channels,
            booths: booths.into(),
            screens: screens.into(),
            rules,
        }
    }

    /// Ids are lower-case slugs: they appear in URLs and access codes.
    fn slug(&mut self, s: &S<String>, what: &str) -> String {
        let v = s.get_ref();
        let ok = !v.is_empty()
            && v.len() <= 64
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            self.fail(
                s.span(),
                DefinitionErrorCode::InvalidId,
                format!("{what} `{v}` must be 1–64 characters of a–z, 0–9, `-` or `_`"),
            );
        }
        v.clone()
    }

    fn unique<'s>(&mut self, seen: &mut BTreeSet<&'s str>, id: &'s S<String>, what: &str) {
        if !seen.insert(id.get_ref().as_str()) {
            self.fail(
                id.span(),
                DefinitionErrorCode::DuplicateId,
                format!("{what} `{}` is defined twice", id.get_ref()),
            );
        }
    }

    fn lang(&mut self, s: &S<String>) -> Option<Lang> {
        match Lang::parse(s.get_ref()) {
            Ok(l) => Some(l),
            Err(e) => {
                self.fail(
                    s.span(),
                    DefinitionErrorCode::InvalidLanguage,
                    e.to_string(),
                );
                None
            }
        }
    }

    fn time_zone(&mut self, s: &S<String>) -> ZoneName {
        match ZoneName::parse(s.get_ref()) {
            Ok(z) => z,
            Err(e) => {
                self.fail(
                    s.span(),
                    DefinitionErrorCode::UnknownTimeZone,
                    e.to_string(),
                );
                ZoneName::default()
            }
        }
    }

    fn languages(&mut self, list: &S<Vec<S<String>>>, whose: &str) -> Vec<Lang> {
        if list.get_ref().is_empty() {
            self.fail(
                list.span(),
                DefinitionErrorCode::EmptyList,
                format!("{whose} needs at least one language"),
            );
        }
        let mut out: Vec<Lang> = Vec::new();
        for s in list.get_ref() {
            if let Some(l) = self.lang(s)
                && !out.contains(&l)
            {
                out.push(l);
            }
        }
        out
    }

    fn texts(&mut self, t: &S<BTreeMap<String, String>>, what: &str) -> Texts {
        let mut out = Texts::new();
        for (lang, text) in t.get_ref() {
            match Lang::parse(lang) {
                Ok(l) => {
                    out.0.insert(l, text.clone());
                }
                Err(e) => self.fail(
                    t.span(),
                    DefinitionErrorCode::InvalidLanguage,
                    e.to_string(),
                ),
            }
        }
        if t.get_ref().values().all(|v| v.trim().is_empty()) {
            self.fail(
                t.span(),
                DefinitionErrorCode::EmptyText,
                format!("{what} needs a text in at least one language, e.g. {{ es = \"…\", en = \"…\" }}"),
            );
        }
        out
    }

    fn duration(&mut self, s: &S<String>) -> Millis {
        match humantime::parse_duration(s.get_ref()) {
            Ok(d) => Millis(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => {
                self.fail(
                    s.span(),
                    DefinitionErrorCode::InvalidDuration,
                    format!(
                        "`{}` is not a duration such as \"5m\", \"90s\" or \"1h 30m\": {e}",
                        s.get_ref()
                    ),
                );
                Millis::ZERO
            }
        }
    }

    fn positive_duration(&mut self, s: &S<String>) -> Millis {
        let d = self.duration(s);
        if d <= Millis::ZERO && humantime::parse_duration(s.get_ref()).is_ok() {
            self.fail(
                s.span(),
                DefinitionErrorCode::InvalidDuration,
                "the duration must be longer than zero".to_owned(),
            );
        }
        d
    }

    fn category(&mut self, s: &S<String>) -> Option<Category> {
        let c = Category::parse(s.get_ref());
        if c.is_none() {
            let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            self.fail(
                s.span(),
                DefinitionErrorCode::UnknownCategory,
                format!(
                    "unknown category `{}`; expected one of {}",
                    s.get_ref(),
                    known.join(", ")
                ),
            );
        }
        c
    }

    fn one_of<T: Copy>(&mut self, s: &S<String>, options: &[(&str, T)]) -> Option<T> {
        let found = options
            .iter()
            .find(|(name, _)| *name == s.get_ref())
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            self.fail(
                s.span(),
                DefinitionErrorCode::UnknownValue,
                format!(
                    "unknown value `{}`; expected one of {}",
                    s.get_ref(),
                    names.join(", ")
                ),
            );
        }
        found
    }

    fn category_limits(&mut self, raw: &BTreeMap<String, S<String>>) -> BTreeMap<Category, Millis> {
        let mut out = BTreeMap::new();
        for (name, limit) in raw {
            let key = Spanned::new(limit.span(), name.clone());
            let category = self.category(&key);
            let d = self.positive_duration(limit);
            if let Some(c) = category {
                out.insert(c, d);
            }
        }
        out
    }

    fn rules(&mut self, raw: Option<&RawRules>) -> Rules {
        let Some(raw) = raw else {
            return Rules::default();
        };
        let preset = match &raw.preset {
            None => Preset::UnGeneralAssembly,
            Some(p) => Preset::parse(p.get_ref()).unwrap_or_else(|| {
                let known: Vec<&str> = Preset::ALL.iter().map(|p| p.as_str()).collect();
                self.fail(
                    p.span(),
                    DefinitionErrorCode::UnknownPreset,
                    format!(
                        "unknown preset `{}`; expected one of {}",
                        p.get_ref(),
                        known.join(", ")
                    ),
                );
                Preset::UnGeneralAssembly
            }),
        };
        let mut rules = preset.rules();
        if let Some(order) = &raw.order {
            match self.one_of(order, &[("request_time", 0), ("category_precedence", 1)]) {
                Some(0) => rules.order = QueueOrder::RequestTime,
                Some(_) => {
                    if let QueueOrder::RequestTime = rules.order {
                        rules.order = QueueOrder::CategoryPrecedence {
                            categories: Category::ALL.to_vec(),
                        };
                    }
                }
                None => {}
            }
        }
        if let Some(precedence) = &raw.precedence {
            let categories = precedence.iter().filter_map(|c| self.category(c)).collect();
            rules.order = QueueOrder::CategoryPrecedence { categories };
        }
        if let Some(v) = raw.one_request_per_delegation {
            rules.one_request_per_delegation = v;
        }
        if let Some(d) = &raw.statement_limit {
            rules.default_statement_limit = self.positive_duration(d);
        }
        if let Some(limits) = &raw.statement_limits {
            rules.statement_limits = self.category_limits(limits);
        }
        if let Some(v) = raw.point_of_order_interrupts {
            rules.point_of_order.interrupts = v;
        }
        if let Some(d) = &raw.point_of_order_limit {
            rules.point_of_order.limit = self.positive_duration(d);
        }
        if let Some(limits) = &raw.right_of_reply_limits {
            rules.right_of_reply.limits =
                limits.iter().map(|d| self.positive_duration(d)).collect();
        }
        if let Some(p) = &raw.right_of_reply_position
            && let Some(p) = self.one_of(
                p,
                &[
                    ("end_of_list", ReplyPosition::EndOfList),
                    ("in_order", ReplyPosition::InOrder),
                ],
            )
        {
            rules.right_of_reply.position = p;
        }
        let warning = raw.warning.as_ref().map(|d| self.duration(d));
        let final_ = raw.final_.as_ref().map(|d| self.duration(d));
        rules.thresholds = Thresholds {
            warning: warning.unwrap_or(rules.thresholds.warning),
            final_: final_.unwrap_or(rules.thresholds.final_),
        };
        if let Some(p) = &raw.on_time_up
            && let Some(p) = self.one_of(
                p,
                &[
                    ("overtime", TimeUpPolicy::Overtime),
                    ("end_speech", TimeUpPolicy::EndSpeech),
                ],
            )
        {
            rules.on_time_up = p;
        }
        if let Some(d) = &raw.booth_duty {
            rules.booth_duty = self.positive_duration(d);
        }
        if let Some(d) = &raw.booth_rest {
            rules.booth_rest = self.positive_duration(d);
        }
        if let Some(kinds) = &raw.extra_kinds {
            let mut seen = BTreeSet::new();
            rules.extra_kinds = kinds
                .iter()
                .map(|k| {
                    let id = self.slug(&k.id, "request kind");
                    self.unique(&mut seen, &k.id, "request kind");
                    if ["statement", "point_of_order", "right_of_reply"].contains(&id.as_str()) {
                        self.fail(
                            k.id.span(),
                            DefinitionErrorCode::DuplicateId,
                            format!("`{id}` is a built-in request kind"),
                        );
                    }
                    ExtraKind {
                        id,
                        name: self.texts(&k.name, "a request kind's name"),
                        limit: self.positive_duration(&k.limit),
                        allowed_when_closed: k.allowed_when_closed,
                        precedes_statements: k.precedes_statements,
                    }
                })
                .collect();
        }
        rules
    }

    fn channels(&mut self, raw: &[RawChannel]) -> Vec<Channel> {
        let mut out: Vec<Channel> = Vec::new();
        for (i, c) in raw.iter().enumerate() {
            let expected = i as i64 + 1;
            if *c.number.get_ref() != expected {
                self.fail(
                    c.number.span(),
                    DefinitionErrorCode::ChannelConflict,
                    format!(
                        "channels are numbered 1, 2, 3… in order (0 is the floor); expected {expected}, found {}",
                        c.number.get_ref()
                    ),
                );
            }
            let Some(language) = self.lang(&c.language) else {
                continue;
            };
            if out.iter().any(|o| o.language == language) {
                self.fail(
                    c.language.span(),
                    DefinitionErrorCode::ChannelConflict,
                    format!("language `{language}` already has a channel"),
                );
            }
            out.push(Channel {
                number: u8::try_from(expected).unwrap_or(u8::MAX),
                language,
            });
        }
        out
    }

    fn booths(
        &mut self,
        raw: &[RawBooth],
        raw_channels: &[RawChannel],
        channels: &[Channel],
    ) -> Vec<BoothDefinition> {
        let mut seen = BTreeSet::new();
        let mut channels_taken = BTreeSet::new();
        let mut out = Vec::new();
        for b in raw {
            let id = self.slug(&b.id, "booth id");
            self.unique(&mut seen, &b.id, "booth");
            let name = self.texts(&b.name, "booth name");
            let number = *b.channel.get_ref();
            let channel = channels.iter().find(|c| i64::from(c.number) == number);
            let written = raw_channels.iter().any(|c| *c.number.get_ref() == number);
            if !written {
                self.fail(
                    b.channel.span(),
                    DefinitionErrorCode::UnknownChannel,
                    format!("booth `{id}` feeds channel {number}, which is not defined under [[channels]]"),
                );
            } else if !channels_taken.insert(number) {
                self.fail(
                    b.channel.span(),
                    DefinitionErrorCode::ChannelConflict,
                    format!("channel {number} is fed by another booth already"),
                );
            }
            if b.interpreters.get_ref().is_empty() {
                self.fail(
                    b.interpreters.span(),
                    DefinitionErrorCode::EmptyList,
                    format!("booth `{id}` has no interpreters"),
                );
            }
            let mut interpreter_ids = BTreeSet::new();
            let interpreters = b
                .interpreters
                .get_ref()
                .iter()
                .map(|i| {
                    self.unique(&mut interpreter_ids, &i.id, "interpreter");
                    let a_span = i.a.as_ref().map_or(i.id.span(), |a| a.span());
                    let a_langs = i.a.as_ref().map(|a| a.get_ref().as_slice()).unwrap_or_default();
                    if a_langs.is_empty() {
                        self.fail(
                            a_span,
                            DefinitionErrorCode::NoALanguage,
                            format!(
                                "interpreter `{}` in booth `{id}` has no A language (mother tongue); every interpreter needs one",
                                i.id.get_ref()
                            ),
                        );
                    }
                    Interpreter {
                        id: InterpreterId(self.slug(&i.id, "interpreter id")),
                        name: i.name.clone(),
                        a: a_langs.iter().filter_map(|l| self.lang(l)).collect(),
                        b: i.b.iter().filter_map(|l| self.lang(l)).collect(),
                        c: i.c.iter().filter_map(|l| self.lang(l)).collect(),
                    }
                })
                .collect();
            if let Some(channel) = channel {
                out.push(BoothDefinition {
                    id: BoothId(id),
                    name,
                    channel: channel.number,
                    output: channel.language.clone(),
                    interpreters,
                });
            }
        }
        out
    }

    fn delegations(&mut self, raw: &[RawDelegation]) -> Vec<Delegation> {
        let mut seen = BTreeSet::new();
        raw.iter()
            .filter_map(|d| {
                let id = self.slug(&d.id, "delegation id");
                self.unique(&mut seen, &d.id, "delegation");
                let name = self.texts(&d.name, "delegation name");
                let category = self.category(&d.category);
                let floor_language = self.lang(&d.floor_language);
                Some(Delegation {
                    id: DelegationId(id),
                    name,
                    category: category?,
                    floor_language: floor_language?,
                    seat: d.seat.clone(),
                })
            })
            .collect()
    }

    fn datetime(&mut self, v: &S<toml::Value>) -> Option<Timestamp> {
        let text = match v.get_ref() {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(t) => Some(Timestamp(t.timestamp_millis())),
            Err(_) => {
                self.fail(
                    v.span(),
                    DefinitionErrorCode::InvalidDatetime,
                    "expected a date and time with its UTC offset, e.g. 2017-10-26T14:00:00-06:00"
                        .to_owned(),
                );
                None
            }
        }
    }

    fn agenda(&mut self, raw: &[RawItem], delegations: &BTreeSet<&str>) -> Vec<ItemDefinition> {
        let mut seen = BTreeSet::new();
        if raw.is_empty() {
            self.fail(
                0..0,
                DefinitionErrorCode::EmptyList,
                "the agenda has no items".to_owned(),
            );
        }
        let kinds = [
            ("opening", ItemKind::Opening),
            ("presentations", ItemKind::Presentations),
            ("debate", ItemKind::Debate),
            ("adoption", ItemKind::Adoption),
            ("break", ItemKind::Break),
            ("closing", ItemKind::Closing),
            ("other", ItemKind::Other),
        ];
        let mut out = Vec::new();
        for (i, item) in raw.iter().enumerate() {
            let id = self.slug(&item.id, "agenda item id");
            self.unique(&mut seen, &item.id, "agenda item");
            let kind = self.one_of(&item.kind, &kinds);
            let title = self.texts(&item.title, "agenda item title");
            let planned_start = item.planned_start.as_ref().and_then(|v| self.datetime(v));
            if i == 0 && item.planned_start.is_none() {
                self.fail(
                    item.id.span(),
                    DefinitionErrorCode::MissingPlannedStart,
                    "the first agenda item needs a planned_start; later items follow on from it"
                        .to_owned(),
                );
            }
            let planned_duration = self.positive_duration(&item.duration);
            let time_limits = self.category_limits(&item.time_limits);
            let schedule: Vec<Presenter> = item
                .schedule
                .iter()
                .map(|p| {
                    if !delegations.contains(p.delegation.get_ref().as_str()) {
                        self.fail(
                            p.delegation.span(),
                            DefinitionErrorCode::UnknownDelegation,
                            format!(
                                "agenda item `{id}` schedules delegation `{}`, which is not defined under [[delegations]]",
                                p.delegation.get_ref()
                            ),
                        );
                    }
                    Presenter {
                        delegation: DelegationId(p.delegation.get_ref().clone()),
                        allotted: self.positive_duration(&p.allotted),
                        language: p.language.as_ref().and_then(|l| self.lang(l)),
                    }
                })
                .collect();
            if kind == Some(ItemKind::Presentations) && schedule.is_empty() {
                self.fail(
                    item.kind.span(),
                    DefinitionErrorCode::EmptyList,
                    format!("presentations item `{id}` needs a [[agenda.schedule]] of presenters"),
                );
            }
            if let Some(kind) = kind {
                out.push(ItemDefinition {
                    id: ItemId(id),
                    kind,
                    title,
                    planned_start,
                    planned_duration,
                    time_limits,
                    list_open: item.list_open,
                    schedule,
                });
            }
        }
        out
    }

    fn screens(&mut self, raw: &[RawScreen], meeting_languages: &[Lang]) -> Vec<ScreenDefinition> {
        let mut seen = BTreeSet::new();
        let views: Vec<(&str, View)> = View::ALL.iter().map(|v| (v.as_str(), *v)).collect();
        raw.iter()
            .filter_map(|s| {
                let id = self.slug(&s.id, "screen id");
                self.unique(&mut seen, &s.id, "screen");
                let view = s.view.as_ref().and_then(|v| self.one_of(v, &views));
                let languages = match &s.languages {
                    Some(list) => {
                        let langs = self.languages(list, "a screen");
                        for l in langs.iter().filter(|l| !meeting_languages.contains(l)) {
                            self.fail(
                                list.span(),
                                DefinitionErrorCode::InvalidLanguage,
                                format!(
                                    "screens show the meeting's languages; `{l}` is not one of them"
                                ),
                            );
                        }
                        langs
                    }
                    None => meeting_languages.to_vec(),
                };
                let groups = s
                    .groups
                    .iter()
                    .map(|g| ScreenGroup(self.slug(g, "screen group")))
                    .collect();
                // An empty language list was reported already.
                Some(ScreenDefinition {
                    id: ScreenId(id),
                    name: s.name.clone(),
                    location: s.location.clone(),
                    groups,
                    view: view.unwrap_or(View::CurrentSpeaker),
                    languages: ScreenLanguages::new(languages)?,
                })
            })
            .collect()
    }
}
