// Helpers for the browser tests: the real `plenary` binary on a fresh SQLite
// file, Debian's Chromium through playwright-core, and small in-page probes
// for the test hooks documented in frontend/README.md.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'node:test';
import { chromium } from 'playwright-core';

export const MEETING = 'san-pedro-sula-2017';
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** @param {number} ms */
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A TCP port nobody listens on right now (the kernel picks it).
 * @returns {Promise<number>}
 */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * @typedef {{ role: string, who: string, code: string, link: string }} Access
 * @typedef {{
 *   base: string,
 *   port: number,
 *   pid: number | undefined,
 *   access: Map<string, Access>,
 *   publicLink: string,
 *   dataDir: string,
 *   output: () => string,
 *   stop: () => Promise<{ code: number | null, signal: NodeJS.Signals | null, forced: boolean }>,
 *   kill: () => Promise<void>,
 * }} Server
 */

/** One row of the demo's table: `role  who  XXXX-XXXX-XXXX-XXXX  http://…`. */
const ROW = /^(\S+)\s+(.*?)\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})\s+(https?:\/\/\S+)\s*$/;

/**
 * The demo's access table, role → link and code.
 * @param {string} stdout
 * @returns {Map<string, Access>}
 */
export function parseAccessTable(stdout) {
  /** @type {Map<string, Access>} */
  const access = new Map();
  for (const line of stdout.split('\n')) {
    const m = ROW.exec(line.trim());
    if (m) access.set(m[1], { role: m[1], who: m[2], code: m[3], link: m[4] });
  }
  return access;
}

/** Servers started by this process, killed if it exits without stopping them. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `plenary demo --fresh` on a fresh data directory and a free port. Resolves
 * once the access table is printed and /healthz answers.
 *
 * To restart a server that was killed, pass its `dataDir` and `port` with
 * `fresh: false`: the meeting continues where it was (and the demo's codes
 * are the same). A data directory passed in is the caller's to remove.
 * `meeting` runs another meeting file (e.g. a modified copy of the
 * reference meeting).
 * @param {{ bin: string, timeoutMs?: number, meeting?: string, dataDir?: string, port?: number, fresh?: boolean }} options
 * @returns {Promise<Server>}
 */
export async function startServer({ bin, timeoutMs = 30_000, meeting, dataDir: givenDir, port: givenPort, fresh = true, tls = false }) {
  if (!bin || !existsSync(bin)) throw new Error(`PLENARY_BIN is not an executable file: ${bin}`);
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'plenary-browser-'));
  const port = givenPort ?? (await freePort());
  const args = ['demo', ...(fresh ? ['--fresh'] : []), ...(tls ? ['--tls'] : []), '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`];
  if (meeting) args.push('--meeting', meeting);
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  // Both pipes are drained until the process exits: a closed pipe must not
  // be what decides how it shuts down.
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  let exited = null;
  const exit = new Promise((r) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      r(exited);
    }),
  );
  const output = () => `--- stdout ---\n${stdout}\n--- stderr (last 4000 chars) ---\n${stderr.slice(-4000)}`;

  let stopped = null;
  const stop = () =>
    (stopped ??= (async () => {
      let forced = false;
      if (!exited) {
        child.kill('SIGTERM');
        const result = await Promise.race([exit, delay(10_000).then(() => null)]);
        if (!result) {
          forced = true;
          child.kill('SIGKILL');
          await exit;
        }
      }
      if (!givenDir) rmSync(dataDir, { recursive: true, force: true });
      const { code, signal } = /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (exited);
      return { code, signal, forced };
    })());

  /** The process dies at once (a crash, a pulled plug): its data stays,
   * for a restart on the same `dataDir` and `port`. */
  const kill = async () => {
    if (!exited) {
      child.kill('SIGKILL');
      await exit;
    }
  };

  try {
    const deadline = Date.now() + timeoutMs;
    while (!/^public view.*$/m.test(stdout) || !/Stop with/.test(stdout)) {
      if (exited) throw new Error(`plenary demo exited early (${JSON.stringify(exited)})\n${output()}`);
      if (Date.now() > deadline) throw new Error(`plenary demo printed no access table in ${timeoutMs} ms\n${output()}`);
      await delay(50);
    }
    const base = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    // With --tls, the demo's own CA: what the browser is made to trust.
    const ca = tls ? join(dataDir, 'tls', 'plenary-ca.pem') : undefined;
    while (true) {
      const ok = await serverFetch({ base, ca }, '/healthz').then((r) => r.ok, () => false);
      if (ok) break;
      if (exited) throw new Error(`plenary demo exited (${JSON.stringify(exited)})\n${output()}`);
      if (Date.now() > deadline) throw new Error(`${base}/healthz did not answer in ${timeoutMs} ms\n${output()}`);
      await delay(50);
    }
    const access = parseAccessTable(stdout);
    const publicLink = /public view[^:]*:\s*(\S+)/.exec(stdout)?.[1] ?? `${base}/#public=${MEETING}`;
    return { base, port, pid: child.pid, access, publicLink, dataDir, ca, output, stop, kill };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * @typedef {{
 *   name: string,
 *   pid: number | undefined,
 *   output: () => string,
 *   exited: () => { code: number | null, signal: NodeJS.Signals | null } | null,
 *   stderr: () => string,
 *   stop: () => Promise<{ code: number | null, signal: NodeJS.Signals | null, forced: boolean }>,
 *   kill: () => Promise<void>,
 * }} Child
 */

/**
 * A child process whose stdout and stderr are kept for failure messages,
 * killed if this process exits without stopping it. `stop` sends SIGTERM
 * (SIGKILL after 10 s); `kill` is SIGKILL at once (a crash, a pulled plug).
 * @param {string} name  for messages
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Child}
 */
function keepChild(name, command, args, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  let exited = null;
  const exit = new Promise((r) => {
    child.on('error', (e) => {
      stderr += `\n(spawn failed: ${e.message})`;
      exited ??= { code: null, signal: null };
      running.delete(child);
      r(exited);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      r(exited);
    });
  });
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null, forced: boolean }> | null} */
  let stopped = null;
  return {
    name,
    pid: child.pid,
    output: () => `--- ${name} stdout (last 4000 chars) ---\n${stdout.slice(-4000)}\n--- ${name} stderr (last 8000 chars) ---\n${stderr.slice(-8000)}`,
    exited: () => exited,
    stderr: () => stderr,
    stop: () =>
      (stopped ??= (async () => {
        let forced = false;
        if (!exited) {
          child.kill('SIGTERM');
          if (!(await Promise.race([exit, delay(10_000).then(() => null)]))) {
            forced = true;
            child.kill('SIGKILL');
            await exit;
          }
        }
        const { code, signal } = /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (exited);
        return { code, signal, forced };
      })()),
    kill: async () => {
      if (!exited) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/**
 * `GET base + path` answered with `status` within `timeoutMs` (polled
 * every 50 ms); throws with the last answer and `child`'s output if not.
 * @param {string} url
 * @param {number} status
 * @param {{ timeoutMs?: number, child?: Child }} [options]
 */
export async function waitForStatus(url, status, { timeoutMs = 30_000, child } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  while (true) {
    const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => ({ status: r.status, body: (await r.text()).slice(0, 300) }),
      (e) => ({ status: 0, body: String(e?.cause?.code ?? e?.message ?? e) }),
    );
    if (answer.status === status) return;
    last = `${answer.status} ${answer.body}`;
    const gone = child?.exited();
    if (gone) throw new Error(`${child?.name} exited (${JSON.stringify(gone)}) while waiting for ${url} to answer ${status}\n${child?.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} in ${timeoutMs} ms (last: ${last})${child ? `\n${child.output()}` : ''}`);
    await delay(50);
  }
}

/** Databases created by this process, dropped if it exits without dropping them. */
const databases = new Set();
process.on('exit', () => {
  for (const drop of databases) drop();
});

/**
 * A fresh PostgreSQL database next to the one `baseUrl` names (created
 * with `psql`, as the Rust suites do on `PLENARY_TEST_DATABASE_URL`).
 * `drop` removes it even with connections still open (`WITH (FORCE)`).
 * @param {string} baseUrl  e.g. postgres://postgres@127.0.0.1:5432/test
 * @param {string} [prefix]
 * @returns {{ url: string, name: string, drop: () => void }}
 */
export function createDatabase(baseUrl, prefix = 'plenary_browser') {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const psql = (/** @type {string} */ sql) => execFileSync('psql', [baseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
  psql(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = () => {
    if (dropped) return;
    dropped = true;
    databases.delete(drop);
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  databases.add(drop);
  return { url: url.toString(), name, drop };
}

/**
 * An access code issued with `plenary access issue` straight on the
 * database (the operator's command line).
 * @param {{ bin: string, databaseUrl: string, role: string, meeting?: string }} options
 * @returns {Promise<string>}
 */
export async function issueCode({ bin, databaseUrl, role, meeting = MEETING }) {
  const { stdout } = await promisify(execFile)(bin, ['access', 'issue', '--database-url', databaseUrl, '--meeting', meeting, '--role', role], {
    env: { ...process.env, NO_COLOR: '1', PLENARY_DATABASE_URL: undefined },
  });
  const code = stdout.trim();
  if (!/^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}$/.test(code)) throw new Error(`plenary access issue --role ${role} printed no code: ${JSON.stringify(stdout)}`);
  return code;
}

/**
 * @typedef {Child & { base: string, port: number, dir: string, config: string, databaseUrl: string }} Node
 */

/**
 * One `plenary serve` node on `databaseUrl` (PostgreSQL for several nodes),
 * with a config file of its own: the reference meeting (or `meetings`),
 * rate limits out of the way, `node_name` = `name`, and `extra` TOML lines.
 * Resolves once `/healthz` answers, or `/readyz` with `ready: true` (this
 * node can get a command committed now).
 * @param {{ bin: string, databaseUrl: string, name: string, port?: number, meetings?: string[], extra?: string, ready?: boolean, timeoutMs?: number }} options
 * @returns {Promise<Node>}
 */
export async function startNode({ bin, databaseUrl, name, port: givenPort, meetings, extra = '', ready = false, timeoutMs = 30_000 }) {
  if (!bin || !existsSync(bin)) throw new Error(`PLENARY_BIN is not an executable file: ${bin}`);
  const port = givenPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `plenary-${name}-`));
  const config = join(dir, 'plenary.toml');
  const files = meetings ?? [join(ROOT, 'config', 'meetings', `${MEETING}.toml`)];
  writeFileSync(
    config,
    [
      `listen = "127.0.0.1:${port}"`,
      `database_url = "${databaseUrl}"`,
      `meetings = [${files.map((f) => JSON.stringify(f)).join(', ')}]`,
      `node_name = "${name}"`,
      'commands_per_second = 10000',
      'command_burst = 10000',
      'max_connections_per_address = 0',
      'limit_loopback = false',
      extra,
      '',
    ].join('\n'),
  );
  // The config file decides: no PLENARY_* variable of the caller's overrides it.
  const env = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('PLENARY_')).map((k) => [k, undefined]));
  const child = keepChild(name, bin, ['serve', '--config', config], env);
  const base = `http://127.0.0.1:${port}`;
  const node = { ...child, base, port, dir, config, databaseUrl };
  const stop = child.stop;
  node.stop = async () => {
    const result = await stop();
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  try {
    await waitForStatus(`${base}${ready ? '/readyz' : '/healthz'}`, 200, { timeoutMs, child });
  } catch (e) {
    await node.stop();
    throw e;
  }
  return node;
}

/**
 * `count` nodes on one database: node-1 first, and the others once it is
 * ready — so node-1 holds every meeting's writer lease — each then ready too.
 * @param {{ bin: string, databaseUrl: string, count?: number, extra?: string }} options
 * @returns {Promise<{ nodes: Node[], stop: () => Promise<void> }>}
 */
export async function startCluster({ bin, databaseUrl, count = 3, extra }) {
  /** @type {Node[]} */
  const nodes = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    nodes.push(await startNode({ bin, databaseUrl, name: 'node-1', extra, ready: true }));
    const rest = await Promise.allSettled(
      Array.from({ length: count - 1 }, (_, i) => startNode({ bin, databaseUrl, name: `node-${i + 2}`, extra, ready: true })),
    );
    for (const r of rest) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes, stop };
}

/**
 * A node's `/metrics` (Prometheus text), or null when it does not answer.
 * @param {{ base: string }} node
 */
export async function nodeMetrics(node) {
  return fetch(`${node.base}/metrics`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => (r.ok ? r.text() : null),
    () => null,
  );
}

/**
 * One sample of a Prometheus text: `name{labels}` with exactly these
 * labels' values among its own (null when absent).
 * @param {string} text
 * @param {string} name
 * @param {Record<string, string>} [labels]
 */
export function metricValue(text, name, labels = {}) {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    /** @type {Record<string, string>} */
    const have = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have[k] = v;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return null;
}

/**
 * HAProxy with `config` (deploy/haproxy.cfg: addresses from
 * PLENARY_PROXY_LISTEN and PLENARY_NODE_1..n) in front of `nodes`, as a
 * plain child process in the foreground. Resolves once a request through it
 * reaches a node (`/healthz` 200).
 * @param {{ nodes: Array<{ port: number }>, config?: string, port?: number, haproxy?: string, timeoutMs?: number }} options
 * @returns {Promise<Child & { base: string, port: number, link: (link: string) => string }>}
 */
export async function startProxy({ nodes, config = join(ROOT, 'deploy', 'haproxy.cfg'), port: givenPort, haproxy = '/usr/sbin/haproxy', timeoutMs = 15_000 }) {
  if (!existsSync(haproxy)) throw new Error(`${haproxy} is missing (apt-get install haproxy)`);
  const port = givenPort ?? (await freePort());
  /** @type {Record<string, string>} */
  const env = { PLENARY_PROXY_LISTEN: `127.0.0.1:${port}` };
  nodes.forEach((n, i) => (env[`PLENARY_NODE_${i + 1}`] = `127.0.0.1:${n.port}`));
  const child = keepChild('haproxy', haproxy, ['-f', config, '-db'], env);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${base}/healthz`, 200, { timeoutMs, child });
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { ...child, base, port, link: (link) => base + link.slice(new URL(link).origin.length) };
}

/**
 * A command through the REST API (set-up only, not what is under test).
 * @param {Server} server
 * @param {string} code  the caller's access code
 * @param {object} command
 */
export async function restCommand(server, code, command) {
  const res = await serverFetch(server, `/api/v1/meetings/${MEETING}/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${code}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command }),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`POST commands ${JSON.stringify(command)}: ${res.status} ${body}`);
  return JSON.parse(body);
}

/**
 * The meeting as a role sees it (REST), for checks the surfaces do not show.
 * @param {Server} server
 * @param {string} code
 */
export async function restState(server, code) {
  const res = await serverFetch(server, `/api/v1/meetings/${MEETING}`, {
    headers: { authorization: `Bearer ${code}` },
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET meeting state: ${res.status} ${body}`);
  return JSON.parse(body);
}

/**
 * `fetch` against the server; over HTTPS it trusts exactly the server's CA
 * (`server.ca`), as a hall device that installed it would.
 * @param {{ base: string, ca?: string }} server
 * @param {string} path
 * @param {{ method?: string, headers?: Record<string, string>, body?: string }} [init]
 * @returns {Promise<{ ok: boolean, status: number, headers: { get: (name: string) => string | null }, text: () => Promise<string>, json: () => Promise<any> }>}
 */
export function serverFetch(server, path, init = {}) {
  if (!server.ca) return fetch(`${server.base}${path}`, init);
  const ca = readFileSync(server.ca);
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(`${server.base}${path}`, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const headers = {
          get: (/** @type {string} */ name) => {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
          },
        };
        resolvePromise({ ok: status >= 200 && status < 300, status, headers, text: async () => body, json: async () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/**
 * A home directory whose NSS database trusts `caPem`, for Chromium on
 * Linux (`$HOME/.pki/nssdb`): the generated CA is trusted as a hall device
 * would trust it, never by ignoring certificate errors.
 * @param {string} caPem
 */
export function homeTrusting(caPem) {
  const home = mkdtempSync(join(tmpdir(), 'plenary-nss-'));
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'plenary local CA', '-i', caPem]);
  return home;
}

/** @param {import('playwright-core').LaunchOptions} [options] */
export function launchChromium(options = {}) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000, ...options });
}

/**
 * Whether the binary serves the web app itself (GET / → the app's index).
 * @param {Server} server
 */
export async function binaryServesFrontend(server) {
  const res = await fetch(`${server.base}/`);
  const body = await res.text();
  return { ok: res.status === 200 && body.includes('/assets/'), status: res.status, body: body.slice(0, 200) };
}

/**
 * A device's network link: a TCP pass-through to `upstream` (host:port of
 * the binary) that the test can cut — every open
 * connection is dropped and new ones are refused — and restore.
 * @param {string} upstream  base URL, e.g. http://127.0.0.1:8080
 * @returns {Promise<{ base: string, link: (link: string) => string, cut: () => number, restore: () => void, close: () => Promise<void> }>}
 */
export async function startLink(upstream) {
  const target = new URL(upstream);
  let down = false;
  /** @type {Set<import('node:net').Socket>} */
  const open = new Set();
  const track = (/** @type {import('node:net').Socket} */ s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  };
  const tcp = createServer((client) => {
    track(client);
    if (down) {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const server = connect(Number(target.port), target.hostname);
    track(server);
    server.setNoDelay(true);
    client.pipe(server);
    server.pipe(client);
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  });
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const address = tcp.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    link: (link) => base + link.slice(new URL(link).origin.length),
    cut: () => {
      down = true;
      const n = open.size;
      for (const s of open) s.resetAndDestroy();
      return n;
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise((r) => tcp.close(() => r(undefined)));
    },
  };
}

/**
 * Waits for a condition in the page, polling every animation frame.
 * @template T
 * @param {import('playwright-core').Page} page
 * @param {string} what  for the failure message
 * @param {(arg: any) => T} fn
 * @param {any} [arg]
 * @param {number} [timeout]
 * @returns {Promise<T>}
 */
export async function waitIn(page, what, fn, arg, timeout = 10_000) {
  try {
    const handle = await page.waitForFunction(fn, arg, { polling: 'raf', timeout });
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`${what}: not within ${timeout} ms (${msg})`, { cause: e });
  }
}

/**
 * The countdown as a page shows it, together with that page's clock read
 * right after the countdown wrote it: a MutationObserver on
 * `data-remaining-ms` runs in the microtask checkpoint that follows the
 * countdown's animation-frame callback, before any other frame callback or
 * task can come in between.
 * @param {import('playwright-core').Page} page
 * @param {string} [testid]
 * @returns {Promise<{ remaining: number, run: string, phase: string, at: number } | null>}
 */
export function readCountdown(page, testid = 'countdown') {
  return page.evaluate(
    (id) =>
      new Promise((resolve) => {
        const el = /** @type {HTMLElement | null} */ (document.querySelector(`[data-testid="${id}"]`));
        if (!el) return resolve(null);
        const read = () => {
          const at = performance.timeOrigin + performance.now();
          observer.disconnect();
          clearTimeout(fallback);
          resolve(
            el.dataset.remainingMs === undefined
              ? null
              : { remaining: Number(el.dataset.remainingMs), run: el.dataset.run ?? '', phase: el.dataset.phase ?? '', at },
          );
        };
        const observer = new MutationObserver(read);
        observer.observe(el, { attributes: true, attributeFilter: ['data-remaining-ms'] });
        // A countdown that stopped drawing (it should not): read it as it is.
        const fallback = setTimeout(read, 1_000);
      }),
    testid,
  );
}

/**
 * How far two pages disagree on the same countdown, corrected for the time
 * between the two reads: |(r1 − r2) − (t2 − t1)|. The worst of `samples`.
 * @param {import('playwright-core').Page} a
 * @param {import('playwright-core').Page} b
 * @param {number} [samples]
 */
export async function countdownDisagreement(a, b, samples = 5) {
  let worst = 0;
  /** @type {Array<{ r1: number, r2: number, dt: number, diff: number }>} */
  const reads = [];
  for (let i = 0; i < samples; i++) {
    const [x, y] = await Promise.all([readCountdown(a), readCountdown(b)]);
    if (!x || !y) throw new Error(`no countdown to read (${JSON.stringify({ x, y })})`);
    const diff = Math.abs(x.remaining - y.remaining - (y.at - x.at));
    reads.push({ r1: x.remaining, r2: y.remaining, dt: Math.round(y.at - x.at), diff: Math.round(diff) });
    worst = Math.max(worst, diff);
  }
  return { worst, reads };
}

/**
 * A status attribute of the page's connection (`data-status` of
 * `connection-status`).
 * @param {import('playwright-core').Page} page
 */
export function connectionStatus(page) {
  return page.evaluate(
    () => /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="connection-status"]'))?.dataset.status ?? null,
  );
}

/**
 * The texts on the page whose boxes intersect the element `selector` (leaf
 * elements with their own text, outside that element): what it covers.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @returns {Promise<string[]>}
 */
export function textsCoveredBy(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error(`${sel} is not on the page`);
    const box = el.getBoundingClientRect();
    /** @type {string[]} */
    const covered = [];
    for (const other of document.body.querySelectorAll('*')) {
      if (el.contains(other) || other.contains(el)) continue;
      const ownText = [...other.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (!ownText) continue;
      const r = other.getBoundingClientRect();
      const style = getComputedStyle(other);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
      if (r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom) {
        covered.push(other.textContent?.trim().slice(0, 60) ?? '');
      }
    }
    return covered;
  }, selector);
}

/**
 * A CSS selector for a test hook with attributes.
 * @param {string} id
 * @param {Record<string, string>} [attrs]
 */
export function hook(id, attrs = {}) {
  return `[data-testid="${id}"]` + Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join('');
}

/**
 * Steps of one scenario, each a test that builds on the ones before: after
 * a failure the rest are skipped (saying which failed), and every page of
 * `pages()` is photographed into `artifacts` as `failure-<prefix>-<step>-<who>.png`.
 * @param {{ prefix: string, artifacts: string, pages: () => Record<string, import('playwright-core').Page>, timeout?: number }} options
 * @returns {(name: string, fn: (t: import('node:test').TestContext) => Promise<void>, timeout?: number) => void}
 */
export function scenario({ prefix, artifacts, pages, timeout: defaultTimeout = 60_000 }) {
  /** @type {string | null} */
  let broken = null;
  return (name, fn, timeout = defaultTimeout) => {
    it(name, { timeout }, async (t) => {
      if (broken) {
        t.skip(`skipped: it builds on "${broken}", which failed`);
        return;
      }
      try {
        await fn(t);
      } catch (e) {
        broken = name;
        const tag = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40).toLowerCase();
        for (const [who, p] of Object.entries(pages())) {
          await p
            .screenshot({ path: join(artifacts, `failure-${prefix}${tag}-${who}.png`), fullPage: true, timeout: 5000 })
            .catch(() => {});
        }
        throw e;
      }
    });
  };
}
