// The relay plan and interpretation warnings, for the chair and the
// technician: what each channel carries now, and what goes wrong ahead.
import { client } from '../client';
import type { ChannelFeed, InterpretationWarning, Meeting } from '../client/protocol';
import { floorLanguage } from '../client/meeting';
import { languageName, t, uiLang } from '../i18n';
import { boothName, delegationName } from './names';

export function feedText(meeting: Meeting, feed: ChannelFeed, lang: string): string {
  switch (feed.feed) {
    case 'floor_is_this_language':
      return t('interp.floor_is_this');
    case 'no_booth':
      return t('interp.no_booth');
    case 'uncovered':
      return t('interp.uncovered_feed', { booth: boothName(meeting, feed.booth, lang) });
    case 'booth':
      return feed.source.from === 'floor'
        ? t('interp.from_floor', { booth: boothName(meeting, feed.booth, lang) })
        : t('interp.from_relay', {
            booth: boothName(meeting, feed.booth, lang),
            source: boothName(meeting, feed.source.booth, lang),
          });
  }
}

export function warningText(meeting: Meeting, w: InterpretationWarning, lang: string): string {
  switch (w.warning) {
    case 'uncovered':
      return t('interp.warn.uncovered', { channel: w.channel, language: languageName(w.language, lang) });
    case 'double_relay':
      return t('interp.warn.double_relay', { channel: w.channel, booth: boothName(meeting, w.booth, lang) });
    case 'into_c_language':
      return t('interp.warn.into_c_language', {
        booth: boothName(meeting, w.booth, lang),
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

/** Channels now, with depth, and the warnings of the current plan. */
export function RelayPlanView({ meeting }: { meeting: Meeting }) {
  const relay = client().insight.value?.relay ?? null;
  const lang = uiLang.value;
  const floor = floorLanguage(meeting);
  return (
    <div class="stack" data-testid="relay-plan">
      <p class="row">
        <strong>{t('interp.floor_language')}:</strong>
        {floor ? (
          <span>
            <span class="lang-tag">{floor}</span> {languageName(floor, lang)}
          </span>
        ) : (
          <span class="muted">{t('interp.none')}</span>
        )}
        {meeting.interpretation.floor_language_override ? (
          <span class="badge" data-kind="right_of_reply">
            {t('interp.override')}
          </span>
        ) : null}
      </p>
      {relay ? (
        <>
          <table class="table">
            <caption class="visually-hidden">{t('interp.relay_plan')}</caption>
            <tbody>
              {relay.channels.map((c) => (
                <tr key={c.channel} data-testid="relay-channel" data-channel={c.channel} data-feed={c.feed.feed}>
                  <th scope="row" class="tabular">
                    {t('interp.channel', { n: c.channel })}
                  </th>
                  <td>
                    <span class="lang-tag">{c.language}</span>
                  </td>
                  <td>{feedText(meeting, c.feed, lang)}</td>
                  <td>
                    <DepthMark feed={c.feed} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {relay.warnings.length > 0 ? (
            <ul class="warnings" data-testid="relay-warnings">
              {relay.warnings.map((w, i) => (
                <li key={i} class="alert alert-error">
                  <span aria-hidden="true">⚠ </span>
                  {warningText(meeting, w, lang)}
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

/** Speakers ahead whose language the booths cannot serve well. */
export function LookaheadView({ meeting }: { meeting: Meeting }) {
  const lookahead = client().insight.value?.lookahead ?? [];
  const lang = uiLang.value;
  return (
    <div data-testid="lookahead">
      <h3 class="subhead">{t('interp.ahead')}</h3>
      {lookahead.length === 0 ? (
        <p class="muted">{t('interp.ahead_none')}</p>
      ) : (
        <ul class="warnings">
          {lookahead.map((u, i) => (
            <li key={i} class="alert alert-warn" data-testid="lookahead-warning" data-delegation={u.delegation}>
              <strong>
                <span aria-hidden="true">⚠ </span>
                {t('interp.ahead_item', {
                  name: delegationName(meeting, u.delegation, lang),
                  language: languageName(u.language, lang),
                })}
              </strong>
              <ul>
                {u.warnings.map((w, j) => (
                  <li key={j}>{warningText(meeting, w, lang)}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
