// Which surface opens: the role in `welcome` decides. Each surface is its
// own chunk, loaded on demand, so a room screen downloads only its own code;
// it renders once the server's view document for it has arrived.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { client } from './client';
import type { Role } from './client/protocol';
import type { ViewSurface } from './client/view';
import { LoginForm } from './login';
import { t } from './i18n';

export type SurfaceName = 'chair' | 'delegation' | 'screen' | 'technician' | 'booth' | 'public';

export function surfaceFor(role: Role): SurfaceName | null {
  switch (role.role) {
    case 'chair':
    case 'secretariat':
      return 'chair';
    case 'delegation':
      return 'delegation';
    case 'screen':
      return 'screen';
    case 'technician':
      return 'technician';
    case 'interpreter':
      return 'booth';
    case 'public':
      return 'public';
    case 'system':
      return null;
  }
}

/** The view document each surface renders. */
export const DOCUMENT_OF: Record<SurfaceName, ViewSurface> = {
  chair: 'presiding',
  delegation: 'delegation',
  screen: 'screen',
  technician: 'technician',
  booth: 'booth',
  public: 'public',
};

const LOADERS: Record<SurfaceName, () => Promise<{ default: ComponentType }>> = {
  chair: () => import('./surfaces/chair/ChairConsole'),
  delegation: () => import('./surfaces/delegation/DelegationConsole'),
  screen: () => import('./surfaces/screen/RoomScreen'),
  technician: () => import('./surfaces/technician/TechnicianConsole'),
  booth: () => import('./surfaces/booth/BoothView'),
  public: () => import('./surfaces/public/PublicView'),
};

function Splash() {
  return (
    <div class="splash" role="status" data-testid="splash">
      <span class="brand">plenary</span>
      <span>{t('app.loading')}</span>
    </div>
  );
}

export function App() {
  const c = client();
  const status = c.status.value;
  const role = c.role.value;
  const name = role ? surfaceFor(role) : null;
  const [loaded, setLoaded] = useState<{ name: SurfaceName; Surface: ComponentType } | null>(null);

  useEffect(() => {
    if (!name || loaded?.name === name) return;
    let cancelled = false;
    void LOADERS[name]().then((m) => {
      if (!cancelled) setLoaded({ name, Surface: m.default });
    });
    return () => {
      cancelled = true;
    };
  }, [name]);

  if (status.kind === 'signed_out') return <LoginForm error={status.error} />;
  if (!name || !loaded || loaded.name !== name || c.view.value?.surface !== DOCUMENT_OF[name]) return <Splash />;
  const { Surface } = loaded;
  return <Surface />;
}
