// Names of request kinds in a language. Everything else a display names
// (delegations, items, booths) arrives in the view document as `Texts`,
// shown with i18n's `tx`.
import type { Heading, NextUp, RequestKind } from '../client/protocol';
import { t, tx, type MessageKey, type UiLang, uiLangFor } from '../i18n';

const BUILT_IN: Record<string, MessageKey> = {
  statement: 'kind.statement',
  point_of_order: 'kind.point_of_order',
  right_of_reply: 'kind.right_of_reply',
  presentation: 'kind.presentation',
};

/** "Point of order", "Presentation", or the name the rules give an extra kind. */
export function kindName(heading: Heading, kind: RequestKind, lang: string): string {
  const key = BUILT_IN[kind];
  if (key) return t(key, undefined, uiLangFor(lang) as UiLang);
  return tx(heading.kinds?.[kind], lang, kind);
}

/** Why someone is in the line, as a kind: a request's kind, `presentation`,
 * or `resumes` for a speaker a point of order interrupted. */
export function turnKind(next: NextUp): RequestKind | 'presentation' | 'resumes' {
  switch (next.turn) {
    case 'request':
      return next.kind;
    case 'presentation':
      return 'presentation';
    case 'resumes':
      return 'resumes';
  }
}

/** The badge of a turn in the line ("resumes after the point of order" for an interrupted speaker);
 * empty for a plain statement, which needs none. */
export function turnLabel(heading: Heading, next: NextUp, lang: string): string {
  const kind = turnKind(next);
  if (kind === 'statement') return '';
  if (kind === 'resumes') return t('queue.resumes', undefined, uiLangFor(lang));
  return kindName(heading, kind, lang);
}
