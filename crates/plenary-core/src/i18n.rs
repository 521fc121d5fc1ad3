//! Languages, texts in several languages, and the catalogue of plenary's
//! own human texts (`locales/*.toml`, one file per language).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A BCP-47 language tag such as `es`, `en`, `pt-BR`. Stored in canonical
/// case (language lower case, region upper case) so that `ES` and `es` are
/// one language.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Lang(String);

impl Lang {
    /// Parses a tag: subtags of 1–8 ASCII letters or digits separated by `-`,
    /// the first 2–3 letters (or 5–8 for registered languages).
    pub fn parse(tag: &str) -> Result<Lang, InvalidLang> {
        let invalid = || InvalidLang(tag.to_owned());
        let mut parts = tag.split('-');
        let primary = parts.next().ok_or_else(invalid)?;
        if !(2..=8).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        let mut canonical = primary.to_ascii_lowercase();
        for sub in parts {
            if sub.is_empty() || sub.len() > 8 || !sub.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid());
            }
            canonical.push('-');
            // Regions are upper case, scripts title case, the rest lower case.
            if sub.len() == 2 && sub.chars().all(|c| c.is_ascii_alphabetic()) {
                canonical.push_str(&sub.to_ascii_uppercase());
            } else if sub.len() == 4 && sub.chars().all(|c| c.is_ascii_alphabetic()) {
                let lower = sub.to_ascii_lowercase();
                let mut chars = lower.chars();
                if let Some(first) = chars.next() {
                    canonical.push(first.to_ascii_uppercase());
                    canonical.push_str(chars.as_str());
                }
            } else {
                canonical.push_str(&sub.to_ascii_lowercase());
            }
        }
        Ok(Lang(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// English, the fallback language of last resort.
    pub fn english() -> Lang {
        Lang("en".to_owned())
    }

    /// The primary language subtag: `pt` for `pt-BR`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The same language for interpretation: the primary subtags match
    /// (`es-HN` is served by a booth working in `es`).
    pub fn same_language(&self, other: &Lang) -> bool {
        self.primary() == other.primary()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Lang {
    type Error = InvalidLang;
    fn try_from(s: String) -> Result<Lang, InvalidLang> {
        Lang::parse(&s)
    }
}

impl From<Lang> for String {
    fn from(l: Lang) -> String {
        l.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a BCP-47 language tag (such as `es`, `en` or `pt-BR`)")]
pub struct InvalidLang(pub String);

/// The same text in several languages: `{ es = "Apertura", en = "Opening" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Texts(pub BTreeMap<Lang, String>);

impl Texts {
    pub fn new() -> Self {
        Texts(BTreeMap::new())
    }

    pub fn with(mut self, lang: &str, text: impl Into<String>) -> Self {
        if let Ok(l) = Lang::parse(lang) {
            self.0.insert(l, text.into());
        }
        self
    }

    /// The text in `lang`, else in the same primary language (`pt` for
    /// `pt-BR`), else in English, else any.
    pub fn get(&self, lang: &Lang) -> Option<&str> {
        self.0
            .get(lang)
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(l, _)| l.primary() == lang.primary())
                    .map(|(_, t)| t)
            })
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(l, _)| l.primary() == "en")
                    .map(|(_, t)| t)
            })
            .or_else(|| self.0.values().next())
            .map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The catalogue's files, embedded at compile time (the core does no IO).
/// English first: it is the fallback of every other language.
const CATALOGUE_SOURCES: [(&str, &str); 2] = [
    ("en", include_str!("../../../locales/en.toml")),
    ("es", include_str!("../../../locales/es.toml")),
];

/// plenary's own human texts, by language then key (`list_closed`,
/// `login.title`): `locales/*.toml`, whose top comment says why and lists
/// the glossary. Meeting content is not here: it comes in [`Texts`].
#[derive(Debug)]
pub struct Catalogue {
    languages: BTreeMap<&'static str, BTreeMap<String, String>>,
}

/// A catalogue file that does not parse, or a text that is not a string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("locales/{language}.toml: {message}")]
pub struct CatalogueError {
    pub language: String,
    pub message: String,
}

impl Catalogue {
    /// The embedded catalogue, parsed once. A file that does not parse
    /// leaves its language empty (its texts then fall back to English, and
    /// to the key itself); `Catalogue::check` and the tests refuse that.
    pub fn get() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            let mut languages = BTreeMap::new();
            for (language, source) in CATALOGUE_SOURCES {
                languages.insert(
                    language,
                    parse_catalogue(language, source).unwrap_or_default(),
                );
            }
            Catalogue { languages }
        })
    }

    /// Every embedded file parsed, or why not.
    pub fn check() -> Result<(), CatalogueError> {
        for (language, source) in CATALOGUE_SOURCES {
            parse_catalogue(language, source)?;
        }
        Ok(())
    }

    /// The languages the catalogue is written in: `en`, `es`.
    pub fn languages(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.languages.keys().copied()
    }

    /// Every key and its text in `language` (one of [`Catalogue::languages`]).
    pub fn entries(&self, language: &str) -> Option<&BTreeMap<String, String>> {
        self.languages.get(language)
    }

    /// The catalogue language that serves `lang`: the same tag, else the
    /// same primary language, else English.
    fn language_for(&self, lang: &Lang) -> &'static str {
        self.languages
            .keys()
            .copied()
            .find(|l| *l == lang.as_str())
            .or_else(|| {
                self.languages
                    .keys()
                    .copied()
                    .find(|l| *l == lang.primary())
            })
            .unwrap_or("en")
    }

    /// The template of `key` in `lang`, else in English; `None` for a key
    /// the catalogue does not have.
    pub fn template(&self, lang: &Lang, key: &str) -> Option<&str> {
        let language = self.language_for(lang);
        self.languages
            .get(language)
            .and_then(|texts| texts.get(key))
            .or_else(|| self.languages.get("en").and_then(|texts| texts.get(key)))
            .map(String::as_str)
    }

    /// The text of `key` in `lang` with its `{name}` parameters filled in.
    /// A key the catalogue lacks (the tests see that none does) gives the
    /// key itself rather than nothing.
    pub fn text(&self, lang: &Lang, key: &str, args: &[(&str, &dyn fmt::Display)]) -> String {
        match self.template(lang, key) {
            Some(template) => fill(template, args),
            None => key.to_owned(),
        }
    }

    /// The text of `key` in each of `languages` (English alone when none is
    /// given).
    pub fn texts(
        &self,
        languages: &[Lang],
        key: &str,
        args: &[(&str, &dyn fmt::Display)],
    ) -> Texts {
        let mut texts = Texts::new();
        for lang in languages {
            texts.0.insert(lang.clone(), self.text(lang, key, args));
        }
        if texts.is_empty() {
            texts
                .0
                .insert(Lang::english(), self.text(&Lang::english(), key, args));
        }
        texts
    }
}

/// Fills `{name}` with the argument called `name`; other braces (and
/// parameters without an argument) are left as written.
pub fn fill(template: &str, args: &[(&str, &dyn fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let value = (name_len > 0 && after[name_len..].starts_with('}'))
            .then(|| args.iter().find(|(n, _)| *n == &after[..name_len]))
            .flatten();
        match value {
            Some((_, value)) => {
                out.push_str(&value.to_string());
                rest = &after[name_len + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` parameters of a template, sorted.
pub fn parameters(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|part| {
            let end = part.find('}')?;
            let name = &part[..end];
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then_some(name)
        })
        .collect();
    names.sort_unstable();
    names
}

/// A catalogue file as flat keys: `[login] title = "…"` is `login.title`.
fn parse_catalogue(
    language: &str,
    source: &str,
) -> Result<BTreeMap<String, String>, CatalogueError> {
    let error = |message: String| CatalogueError {
        language: language.to_owned(),
        message,
    };
    let table: toml::Table = toml::from_str(source).map_err(|e| error(e.to_string()))?;
    let mut flat = BTreeMap::new();
    let mut stack: Vec<(String, toml::Table)> = vec![(String::new(), table)];
    while let Some((prefix, table)) = stack.pop() {
        for (key, value) in table {
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::String(text) => {
                    flat.insert(key, text);
                }
                toml::Value::Table(inner) => stack.push((key, inner)),
                other => {
                    return Err(error(format!(
                        "`{key}` is a {}, not a text",
                        other.type_str()
                    )));
                }
            }
        }
    }
    Ok(flat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_canonicalised() {
        assert_eq!(Lang::parse("PT-br").unwrap().as_str(), "pt-BR");
        assert_eq!(Lang::parse("zh-hant-tw").unwrap().as_str(), "zh-Hant-TW");
        assert_eq!(Lang::parse("es").unwrap().primary(), "es");
    }

    #[test]
    fn malformed_language_tags_are_refused() {
        for bad in ["", "e", "español", "en_GB", "en-", "1a"] {
            assert!(Lang::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn texts_fall_back_to_primary_language_then_english() {
        let t = Texts::new().with("en", "Opening").with("pt-BR", "Abertura");
        assert_eq!(t.get(&Lang::parse("pt").unwrap()), Some("Abertura"));
        assert_eq!(t.get(&Lang::parse("fr").unwrap()), Some("Opening"));
    }

    #[test]
    fn the_catalogue_parses() {
        Catalogue::check().unwrap();
        let c = Catalogue::get();
        assert_eq!(c.languages().collect::<Vec<_>>(), ["en", "es"]);
        assert!(c.entries("en").unwrap().len() > 300);
    }

    #[test]
    fn every_key_exists_in_every_language_with_the_same_parameters() {
        let c = Catalogue::get();
        let english = c.entries("en").unwrap();
        for language in c.languages() {
            let texts = c.entries(language).unwrap();
            let missing: Vec<_> = english.keys().filter(|k| !texts.contains_key(*k)).collect();
            let extra: Vec<_> = texts.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{language} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{language} has keys English lacks: {extra:?}"
            );
            for (key, text) in texts {
                assert!(!text.trim().is_empty(), "{language}: `{key}` is empty");
                assert_eq!(
                    parameters(text),
                    parameters(&english[key]),
                    "{language}: `{key}` has other parameters than in English"
                );
            }
        }
    }

    #[test]
    fn the_spanish_texts_say_punto_for_an_agenda_item() {
        let c = Catalogue::get();
        for (key, text) in c.entries("es").unwrap() {
            for word in text.split(|c: char| !c.is_alphabetic()) {
                assert!(
                    !["tema", "temas", "prórroga"].contains(&word),
                    "`{key}`: {text}"
                );
            }
        }
    }

    #[test]
    fn texts_are_filled_and_fall_back_to_english() {
        let c = Catalogue::get();
        let es = Lang::parse("es-HN").unwrap();
        let pt = Lang::parse("pt").unwrap();
        assert_eq!(c.text(&es, "queue.position", &[("n", &3)]), "N.º 3");
        assert_eq!(
            c.text(&pt, "reply_limit_reached", &[("max", &2)]),
            "this delegation has used its 2 rights of reply on this item"
        );
        assert_eq!(c.text(&es, "no.such.key", &[]), "no.such.key");
        assert_eq!(fill("{a} {b} {\"x\"} {", &[("a", &1)]), "1 {b} {\"x\"} {");
        assert_eq!(parameters("{b} {a} {\"x\": 1}"), ["a", "b"]);
    }
}
