// Every text of the interface, in English and Spanish: the catalogue
// (locales/*.toml, one file per language, shared with the server's refusal
// and error messages), as generated into ../generated/catalogue.ts by
// `UPDATE_CATALOGUE=1 cargo test -p plenary-protocol --test catalogue`.
// English is the reference: `es` must have exactly the same keys (a missing
// key is a type error). `{name}` placeholders are filled by `t()`.
//
// Meeting content (titles, delegation names, messages) is not here: it comes
// in the languages of the meeting file (`Texts`), see ./texts.ts.
import { en as enCatalogue, es as esCatalogue } from '../generated/catalogue';

export const en = enCatalogue;

export type MessageKey = keyof typeof en;
export type Dictionary = { readonly [K in MessageKey]: string };

export const es: Dictionary = esCatalogue;

export const dictionaries = { en, es } as const;
