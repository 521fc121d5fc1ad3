//! JSON Schema for the types whose serde form is not their Rust shape
//! (validated strings and lists). Everything else derives it.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::display::ScreenLanguages;
use crate::i18n::Lang;
use crate::roster::{Keyed, Roster};
use crate::rules::RequestKind;

impl JsonSchema for Lang {
    fn schema_name() -> Cow<'static, str> {
        "Lang".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A BCP-47 language tag such as `es`, `en` or `pt-BR`.",
            "pattern": "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
            "examples": ["es", "en", "pt-BR"]
        })
    }
}

impl JsonSchema for RequestKind {
    fn schema_name() -> Cow<'static, str> {
        "RequestKind".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "`statement`, `point_of_order`, `right_of_reply`, or a kind the meeting's rules add (e.g. `question`).",
            "examples": ["statement", "point_of_order", "right_of_reply", "question"]
        })
    }
}

impl JsonSchema for ScreenLanguages {
    fn schema_name() -> Cow<'static, str> {
        "ScreenLanguages".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<Lang>();
        json_schema!({
            "type": "array",
            "items": item,
            "minItems": 1,
            "uniqueItems": true,
            "description": "One language, or several shown side by side."
        })
    }
}

impl<T: Keyed + JsonSchema> JsonSchema for Roster<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Roster_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<T>();
        json_schema!({ "type": "array", "items": item })
    }
}
