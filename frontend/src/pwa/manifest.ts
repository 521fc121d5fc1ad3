// Which web app manifest the page links: the app of the role that signed in
// (a chair's code at `/` offers the chair's console for install), or before
// sign-in the app of the path (`/chair`, an installed app's start_url).
import type { Role } from '../client/protocol';
import { appOfPath, appOfRole, manifestPath, type AppName } from './apps';

/** The app this page offers to install; none for the public view. */
export function appFor(role: Role | null, pathname: string): AppName | null {
  return role ? appOfRole(role) : appOfPath(pathname);
}

/** Points `<link rel="manifest">` at `app`'s manifest (removes it for none). */
export function linkManifest(doc: Document, app: AppName | null): void {
  let link = doc.head.querySelector<HTMLLinkElement>('link[rel="manifest"]');
  if (!app) {
    link?.remove();
    return;
  }
  const href = manifestPath(app);
  if (link?.getAttribute('href') === href) return;
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'manifest';
    doc.head.append(link);
  }
  link.setAttribute('href', href);
}
