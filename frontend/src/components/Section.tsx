import type { ComponentChildren } from 'preact';

/** A titled panel of a console. */
export function Section({
  title,
  id,
  actions,
  children,
  class: cls = '',
  testid,
}: {
  title: ComponentChildren;
  id: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  testid?: string;
}) {
  return (
    <section class={`panel ${cls}`} aria-labelledby={`${id}-title`} data-testid={testid}>
      <header class="panel-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions ? <div class="panel-actions">{actions}</div> : null}
      </header>
      <div class="panel-body">{children}</div>
    </section>
  );
}
