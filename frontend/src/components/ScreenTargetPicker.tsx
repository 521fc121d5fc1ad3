import type { ScreenLine, ScreenTarget } from '../client/protocol';
import { t } from '../i18n';

/** The screens as a view document lists them (`screens`): only their ids and groups matter here. */
export type TargetScreens = readonly Pick<ScreenLine, 'id' | 'groups'>[];

/** Every target a display command may name: all screens, each group, each screen. */
export function targets(screens: TargetScreens): ScreenTarget[] {
  const groups: string[] = [];
  for (const s of screens) for (const g of s.groups) if (!groups.includes(g)) groups.push(g);
  return [
    { kind: 'all' },
    ...groups.map((id): ScreenTarget => ({ kind: 'group', id })),
    ...screens.map((s): ScreenTarget => ({ kind: 'screen', id: s.id })),
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
  screens,
  value,
  onChange,
  label,
  testid,
  extra,
}: {
  screens: TargetScreens;
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
        {targets(screens).map((tg) => (
          <option key={targetKey(tg)} value={targetKey(tg)}>
            {targetLabel(tg)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function targetOf(screens: TargetScreens, key: string): ScreenTarget {
  return targets(screens).find((tg) => targetKey(tg) === key) ?? { kind: 'all' };
}
