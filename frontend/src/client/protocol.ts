// Names for the generated wire types that the client uses. Every type here
// comes from src/generated/protocol.ts (generated from the Rust types).
import type { ClientMessage, Command, PublicView, ServerMessage } from '../generated/protocol';

export type * from '../generated/protocol';

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

export type WelcomeMessage = ServerMessageOf<'welcome'>;
/** The whole document of this display, at `seq`. */
export type ViewMessage = ServerMessageOf<'view'>;
/** RFC 6902 operations turning the document at `from` into the one at `seq`. */
export type PatchMessage = ServerMessageOf<'patch'>;
export type ErrorMessage = ServerMessageOf<'error'>;
export type PhaseMessage = ServerMessageOf<'phase'>;

/** The running order of the view documents (the generator names it
 * `Schedule2`, as the event stream's presenters already took `Schedule`). */
export type Schedule = PublicView['schedule'];

/** Websocket close codes the server uses (docs/protocol.md §12). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Policy: 1008,
  TooBig: 1009,
  TooSlow: 4000,
  HelloTimeout: 4001,
} as const;
