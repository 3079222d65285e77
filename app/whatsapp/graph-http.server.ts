// Connections to the Graph API. A server closes a connection left idle past its
// keep-alive (Node's default, the simulator's, is 5 s); a request written on it
// at that moment fails mid-flight (UND_ERR_SOCKET), and a send that fails so has
// an unknown outcome: it is never resent blind, it waits UNCONFIRMED. Undici's
// default agent keeps an idle connection until a second before the server's
// announced timeout, so a worker whose event loop is held up for a second (a
// busy machine; workers run at a lower priority) writes on connections the
// server has closed. Here an idle connection is closed after 1 s, leaving
// seconds of margin to any server that keeps them 5 s or more; a number sending
// steadily keeps its connections in use anyway.
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

/** How long a connection to the Graph API may sit idle before this side closes it. */
export const GRAPH_IDLE_MS = 1_000;

const agent = new Agent({ keepAliveTimeout: GRAPH_IDLE_MS, keepAliveMaxTimeout: GRAPH_IDLE_MS });

/** `fetch` over the Graph API's agent: undici's own, as its agent is made for it (Node's built-in fetch is a bundled copy of another version). */
export const graphFetch: typeof fetch = (input, init) => undiciFetch(input as string | URL, { ...init, dispatcher: agent } as UndiciRequestInit) as unknown as Promise<Response>;
