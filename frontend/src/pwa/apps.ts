// The installable apps: one web app manifest per console, each opening at a
// path of its own (`/chair`, `/delegation`…) that holds no access code —
// the code is typed (or comes from a `#code=` link) after the app opens,
// and the role in `welcome` decides the console, as for any link. The build
// (vite/pwa.ts) writes `manifests/<app>.webmanifest` from this table; the
// page links the manifest of its role, or of its path before sign-in
// (./manifest.ts). Names are in Spanish and English: a manifest has one
// name, and the hall reads both.
import type { Role } from '../client/protocol';

export type AppName = 'chair' | 'secretariat' | 'delegation' | 'technician' | 'booth' | 'screen';

export interface AppSpec {
  /** `name`: the long name shown by the install prompt. */
  name: string;
  /** `short_name`: under the icon on a home screen (about 12 characters). */
  short: string;
  description: string;
  /** `display`: a room screen takes the whole screen, a console a window. */
  display: 'standalone' | 'fullscreen';
}

export const APPS: Record<AppName, AppSpec> = {
  chair: {
    name: 'plenary · Presidencia / Chair',
    short: 'Presidencia',
    description: 'Consola de la presidencia: lista de oradores, tiempos, interpretación. Chair console: speakers list, timing, interpretation.',
    display: 'standalone',
  },
  secretariat: {
    name: 'plenary · Secretaría / Secretariat',
    short: 'Secretaría',
    description: 'Consola de la secretaría. Secretariat console.',
    display: 'standalone',
  },
  delegation: {
    name: 'plenary · Delegación / Delegation',
    short: 'Delegación',
    description: 'Pedir la palabra y seguir la sesión. Ask for the floor and follow the session.',
    display: 'standalone',
  },
  technician: {
    name: 'plenary · Técnico / Technician',
    short: 'Técnico',
    description: 'Pantallas de sala, cabinas y códigos de acceso. Room screens, booths and access codes.',
    display: 'standalone',
  },
  booth: {
    name: 'plenary · Cabina / Booth',
    short: 'Cabina',
    description: 'Cabina de interpretación: quién habla, en qué idioma, relés. Interpreter booth: who speaks, in what language, relays.',
    display: 'standalone',
  },
  screen: {
    name: 'plenary · Pantalla de sala / Room screen',
    short: 'Pantalla',
    description: 'Pantalla de sala (kiosco). Room screen (kiosk).',
    display: 'fullscreen',
  },
};

export const APP_NAMES = Object.keys(APPS) as AppName[];

/** Where each app opens (`start_url`, and its manifest `id`). */
export function startPath(app: AppName): string {
  return `/${app}`;
}

/** The manifest of `app`, served by the binary as application/manifest+json. */
export function manifestPath(app: AppName): string {
  return `/manifests/${app}.webmanifest`;
}

/** The app of a role; none for the public view (it needs no install). */
export function appOfRole(role: Role): AppName | null {
  switch (role.role) {
    case 'chair':
    case 'secretariat':
    case 'delegation':
    case 'technician':
    case 'screen':
      return role.role;
    case 'interpreter':
      return 'booth';
    case 'public':
    case 'system':
      return null;
  }
}

/** The app a path opens (`/chair`, `/booth/`…), before anyone signs in. */
export function appOfPath(pathname: string): AppName | null {
  const first = pathname.split('/').find((part) => part !== '') ?? '';
  return (APP_NAMES as string[]).includes(first) ? (first as AppName) : null;
}

/** Colours of the manifests and the icons (base.css: --primary, --bg). */
export const THEME_COLOR = '#0a4f94';
export const BACKGROUND_COLOR = '#eef1f5';

/** The icons every manifest lists (written by the build, vite/icons.ts). */
export const ICONS: { src: string; size: number; purpose: 'any' | 'maskable' }[] = [
  { src: '/icons/plenary-96.png', size: 96, purpose: 'any' },
  { src: '/icons/plenary-192.png', size: 192, purpose: 'any' },
  { src: '/icons/plenary-512.png', size: 512, purpose: 'any' },
  { src: '/icons/plenary-maskable-192.png', size: 192, purpose: 'maskable' },
  { src: '/icons/plenary-maskable-512.png', size: 512, purpose: 'maskable' },
];

/** The manifest of `app` (JSON). */
export function manifestOf(app: AppName): Record<string, unknown> {
  const spec = APPS[app];
  return {
    id: startPath(app),
    name: spec.name,
    short_name: spec.short,
    description: spec.description,
    lang: 'es',
    dir: 'ltr',
    start_url: startPath(app),
    scope: '/',
    display: spec.display,
    background_color: app === 'screen' ? '#000000' : BACKGROUND_COLOR,
    theme_color: THEME_COLOR,
    icons: ICONS.map((i) => ({ src: i.src, sizes: `${i.size}x${i.size}`, type: 'image/png', purpose: i.purpose })),
  };
}
