import type { Meeting, ScreenTarget } from '../client/protocol';
import { t } from '../i18n';

/** Every target a display command may name: all screens, each group, each screen. */
export function targets(meeting: Meeting): ScreenTarget[] {
  const groups: string[] = [];
  for (const s of meeting.definition.screens) for (const g of s.groups) if (!groups.includes(g)) groups.push(g);
  return [
    { kind: 'all' },
    ...groups.map((id): ScreenTarget => ({ kind: 'group', id })),
    ...meeting.definition.screens.map((s): ScreenTarget => ({ kind: 'screen', id: s.id })),
  ];
}

export function targetKey(target: ScreenTarget): string {
  return target.kind === 'all' ? 'all' : `${target.kind}:${target.id}`;
}

export function targetLabel(target: ScreenTarget): string {
  if (target.kind === 'all') return t('target.all');
  if (target.kind === 'group') return t('target.group', { id: target.id });
  return t('target.screen', { id: target.id });
}

/** A select of targets; `value` is a target key. */
export function ScreenTargetPicker({
  meeting,
  value,
  onChange,
  label,
  testid,
  extra,
}: {
  meeting: Meeting;
  value: string;
  onChange: (key: string) => void;
  label: string;
  testid?: string;
  extra?: { key: string; label: string };
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <select class="input" value={value} data-testid={testid} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {extra ? <option value={extra.key}>{extra.label}</option> : null}
        {targets(meeting).map((tg) => (
          <option key={targetKey(tg)} value={targetKey(tg)}>
            {targetLabel(tg)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function targetOf(meeting: Meeting, key: string): ScreenTarget {
  return targets(meeting).find((tg) => targetKey(tg) === key) ?? { kind: 'all' };
}
