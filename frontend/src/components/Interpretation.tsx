// The relay plan and interpretation warnings, for the chair, the technician
// and the booths: what each channel carries now, and its trouble. Everything
// here comes worked out in the view document (the plan now and its
// warnings); this file only puts it into words. What the booths should do
// ahead is ./Coverage.tsx.
import type { ChannelFeed, InterpretationView, InterpretationWarning } from '../client/protocol';
import { languageName, t, tx, uiLang } from '../i18n';

/** Booth names by id, as the documents carry them (`booth_names`). */
export type BoothNames = InterpretationView['booth_names'];

/** A booth's name in `lang`, or its id when the document does not name it. */
export function boothName(names: BoothNames, id: string, lang: string): string {
  return tx(names[id], lang, id);
}

export function feedText(feed: ChannelFeed, names: BoothNames, lang: string): string {
  switch (feed.feed) {
    case 'floor_is_this_language':
      return t('interp.floor_is_this');
    case 'no_booth':
      return t('interp.no_booth');
    case 'uncovered':
      return t('interp.uncovered_feed', { booth: boothName(names, feed.booth, lang) });
    case 'booth':
      return feed.source.from === 'floor'
        ? t('interp.from_floor', { booth: boothName(names, feed.booth, lang) })
        : t('interp.from_relay', {
            booth: boothName(names, feed.booth, lang),
            source: boothName(names, feed.source.booth, lang),
          });
  }
}

export function warningText(w: InterpretationWarning, names: BoothNames, lang: string): string {
  switch (w.warning) {
    case 'uncovered':
      return t('interp.warn.uncovered', { channel: w.channel, language: languageName(w.language, lang) });
    case 'double_relay':
      return t('interp.warn.double_relay', { channel: w.channel, booth: boothName(names, w.booth, lang) });
    case 'into_c_language':
      return t('interp.warn.into_c_language', {
        booth: boothName(names, w.booth, lang),
        language: languageName(w.language, lang),
      });
  }
}

/** Depth as consoles mark it: floor, + (one relay), – (double relay). */
export function DepthMark({ feed }: { feed: ChannelFeed }) {
  if (feed.feed !== 'booth') return null;
  return (
    <span class="depth" data-depth={feed.depth} title={t(`interp.depth_label.${feed.depth}`)}>
      {t(`interp.depth.${feed.depth}`)}
      <span class="visually-hidden"> {t(`interp.depth_label.${feed.depth}`)}</span>
    </span>
  );
}

/** The floor language, the channels now with depth, and the warnings of
 * the current plan (`floorLine` false: without the floor language, which
 * a control next to it shows). */
export function RelayPlanView({ interpretation, floorLine = true }: { interpretation: InterpretationView; floorLine?: boolean }) {
  const lang = uiLang.value;
  const { plan, floor_language: floor, booth_names: names } = interpretation;
  return (
    <div class="stack" data-testid="relay-plan">
      {floorLine ? (
        <p class="row">
          <strong>{t('interp.floor_language')}:</strong>
          {floor ? (
            <span>
              <span class="lang-tag">{floor}</span> {languageName(floor, lang)}
            </span>
          ) : (
            <span class="muted">{t('interp.none')}</span>
          )}
          {interpretation.floor_language_override ? (
            <span class="badge" data-kind="right_of_reply">
              {t('interp.override')}
            </span>
          ) : null}
        </p>
      ) : null}
      {plan ? (
        <>
          <table class="table">
            <caption class="visually-hidden">{t('interp.relay_plan')}</caption>
            <tbody>
              {plan.channels.map((c) => (
                <tr key={c.channel} data-testid="relay-channel" data-channel={c.channel} data-feed={c.feed.feed}>
                  <th scope="row" class="tabular">
                    {t('interp.channel', { n: c.channel })}
                  </th>
                  <td>
                    <span class="lang-tag">{c.language}</span>
                  </td>
                  <td>{feedText(c.feed, names, lang)}</td>
                  <td>
                    <DepthMark feed={c.feed} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.warnings.length > 0 ? (
            <ul class="warnings" data-testid="relay-warnings">
              {plan.warnings.map((w, i) => (
                <li key={i} class="alert alert-error">
                  <span aria-hidden="true">⚠ </span>
                  {warningText(w, names, lang)}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p class="muted">{t('interp.no_speaker')}</p>
      )}
    </div>
  );
}
