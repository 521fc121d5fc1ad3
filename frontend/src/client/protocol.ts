// Names for the generated wire types that the client uses. Every type here
// comes from src/generated/protocol.ts (generated from the Rust types).
import type { ClientMessage, Command, ServerMessage } from '../generated/protocol';

export type * from '../generated/protocol';

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

export type WelcomeMessage = ServerMessageOf<'welcome'>;
export type SnapshotMessage = ServerMessageOf<'snapshot'>;
export type EventMessage = ServerMessageOf<'event'>;
export type InsightMessage = ServerMessageOf<'insight'>;
export type ErrorMessage = ServerMessageOf<'error'>;
export type PhaseMessage = ServerMessageOf<'phase'>;

/** Websocket close codes the server uses (docs/protocol.md §12). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Policy: 1008,
  TooBig: 1009,
  TooSlow: 4000,
  HelloTimeout: 4001,
} as const;
