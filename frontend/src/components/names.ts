// Names of meeting things in a language, from the meeting file.
import type { Meeting, RequestKind, Rules } from '../client/protocol';
import { boothOf, delegationOf, itemDefinitionOf } from '../client/meeting';
import { t, tx, type MessageKey, type UiLang, uiLangFor } from '../i18n';

export function delegationName(meeting: Meeting, id: string, lang: string): string {
  return tx(delegationOf(meeting.definition, id)?.name, lang, id);
}

export function itemTitle(meeting: Meeting, id: string, lang: string): string {
  return tx(itemDefinitionOf(meeting.definition, id)?.title, lang, id);
}

export function boothName(meeting: Meeting, id: string, lang: string): string {
  return tx(boothOf(meeting.definition, id)?.name, lang, id);
}

const BUILT_IN: Record<string, MessageKey> = {
  statement: 'kind.statement',
  point_of_order: 'kind.point_of_order',
  right_of_reply: 'kind.right_of_reply',
};

/** "Point of order", or the name the rules give an extra kind. */
export function kindName(rules: Rules, kind: RequestKind, lang: string): string {
  const key = BUILT_IN[kind];
  if (key) return t(key, undefined, uiLangFor(lang) as UiLang);
  return tx(rules.extra_kinds.find((k) => k.id === kind)?.name, lang, kind);
}
