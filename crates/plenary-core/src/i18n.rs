//! Languages and texts in several languages.

use std::collections::BTreeMap;
use std::fmt;

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
}
