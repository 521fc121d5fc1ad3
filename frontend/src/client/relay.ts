// The relay (pivot) plan for a floor language, for display ahead of time:
// a mirror of `relay::plan` (crates/plenary-core/src/interpretation/relay.rs).
// The server's `insight.relay` is the plan for whoever speaks now; this
// lets a booth see where it will take its signal for the speakers ahead.
import type {
  BoothDefinition,
  ChannelFeed,
  ChannelPlan,
  Depth,
  Interpreter,
  InterpretationWarning,
  Lang,
  Meeting,
  MeetingDefinition,
  RelayPlan,
  Source,
} from './protocol';

type LanguageClass = 'a' | 'b' | 'c';

export function classOf(i: Interpreter, lang: Lang): LanguageClass | null {
  if (i.a.includes(lang)) return 'a';
  if (i.b.includes(lang)) return 'b';
  if (i.c.includes(lang)) return 'c';
  return null;
}

/** AIIC directions: into A from B or C; into B from A only; never into C. */
export function canInterpret(i: Interpreter, from: Lang, into: Lang): boolean {
  if (from === into) return false;
  const f = classOf(i, from);
  const t = classOf(i, into);
  if ((f === 'b' || f === 'c') && t === 'a') return true;
  if (f === 'a' && (t === 'b' || t === 'a')) return true;
  return false;
}

/** The interpreter on the mic in a booth (`Interpretation::on_mic`). */
export function onMic(meeting: Meeting, booth: BoothDefinition): Interpreter | undefined {
  const i = meeting.interpretation.booths[booth.id]?.on_mic ?? 0;
  return booth.interpreters[i];
}

/** `relay::plan`. */
export function relayPlan(
  def: MeetingDefinition,
  floor: Lang,
  onMicOf: (booth: BoothDefinition) => Interpreter | undefined,
): RelayPlan {
  const warnings: InterpretationWarning[] = [];
  let todo: { booth: string; output: Lang; interpreter: Interpreter }[] = [];
  for (const booth of def.booths) {
    const interpreter = onMicOf(booth);
    if (!interpreter) continue;
    const cls = classOf(interpreter, booth.output);
    if (cls !== 'a' && cls !== 'b') {
      warnings.push({ warning: 'into_c_language', booth: booth.id, interpreter: interpreter.id, language: booth.output });
    }
    if (booth.output !== floor) todo.push({ booth: booth.id, output: booth.output, interpreter });
  }
  const assigned: { booth: string; output: Lang; source: Source; depth: Depth }[] = [];
  let frontier: { booth: string; output: Lang }[] = [];
  for (const depth of ['floor', 'one_relay', 'double_relay'] as const) {
    const next: { booth: string; output: Lang }[] = [];
    todo = todo.filter(({ booth, output, interpreter }) => {
      let source: Source | null = null;
      if (depth === 'floor') {
        if (canInterpret(interpreter, floor, output)) source = { from: 'floor' };
      } else {
        const pivot = frontier.find((p) => canInterpret(interpreter, p.output, output));
        if (pivot) source = { from: 'relay', booth: pivot.booth };
      }
      if (!source) return true;
      assigned.push({ booth, output, source, depth });
      next.push({ booth, output });
      return false;
    });
    frontier = next;
  }
  const channels: ChannelPlan[] = def.channels.map((c) => {
    const booth = def.booths.find((b) => b.channel === c.number);
    let feed: ChannelFeed;
    if (c.language === floor) {
      feed = { feed: 'floor_is_this_language' };
    } else if (booth) {
      const a = assigned.find((x) => x.booth === booth.id);
      if (a) {
        if (a.depth === 'double_relay') warnings.push({ warning: 'double_relay', channel: c.number, booth: a.booth });
        feed = { feed: 'booth', booth: a.booth, source: a.source, depth: a.depth };
      } else {
        warnings.push({ warning: 'uncovered', channel: c.number, language: c.language });
        feed = { feed: 'uncovered', booth: booth.id };
      }
    } else {
      warnings.push({ warning: 'uncovered', channel: c.number, language: c.language });
      feed = { feed: 'no_booth' };
    }
    return { channel: c.number, language: c.language, feed };
  });
  return { floor_language: floor, channels, warnings };
}

/** The plan for a floor language with the interpreters now on the mic. */
export function planFor(meeting: Meeting, floor: Lang): RelayPlan {
  return relayPlan(meeting.definition, floor, (b) => onMic(meeting, b));
}
