// Connections to the Graph API.
//
// Idle connections: a server closes a connection left idle past its keep-alive
// (Node's default is 5 s); a request written on it at that moment fails
// mid-flight (UND_ERR_SOCKET), and a send that fails so has an unknown outcome:
// it is never resent blind, it waits UNCONFIRMED. Undici's default agent keeps
// an idle connection until a second before the server's announced timeout, so a
// worker whose event loop is held up for a second (a busy machine; workers run
// at a lower priority) writes on connections the server has closed. Here an
// idle connection is closed after 1 s, leaving seconds of margin to any server
// that keeps them 5 s or more; a number sending steadily keeps its connections
// in use anyway.
//
// Time limits: each counts from the step it limits, never from when the worker
// asked. Connecting may take GRAPH_CONNECT_MS; a request not connected by then
// was never written (UND_ERR_CONNECT_TIMEOUT), so a send is known not sent and is
// retried. Meta's answer may take GRAPH_ANSWER_MS from when the request was
// written; past it the outcome is unknown. One overall deadline started when the
// worker asked would also run out on a request a held-up worker had not written
// yet, leaving a send that never left UNCONFIRMED, where Meta would never send
// the status that settles it.
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

/** How long a connection to the Graph API may sit idle before this side closes it. */
export const GRAPH_IDLE_MS = 1_000;
/** How long connecting may take. */
export const GRAPH_CONNECT_MS = 10_000;
/** How long Meta may take to answer (its headers, then between parts of its body) once the request is written. */
export const GRAPH_ANSWER_MS = 15_000;

export interface GraphTimeouts {
  connectMs: number;
  answerMs: number;
}

/** `fetch` over an agent with these limits: undici's own, as its agent is made for it (Node's built-in fetch is a bundled copy of another version). */
export function graphFetchWith(timeouts: GraphTimeouts): typeof fetch {
  const agent = new Agent({
    keepAliveTimeout: GRAPH_IDLE_MS,
    keepAliveMaxTimeout: GRAPH_IDLE_MS,
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.answerMs,
    bodyTimeout: timeouts.answerMs,
  });
  return (input, init) => undiciFetch(input as string | URL, { ...init, dispatcher: agent } as UndiciRequestInit) as unknown as Promise<Response>;
}

/** The process's `fetch` for the Graph API. */
export const graphFetch = graphFetchWith({ connectMs: GRAPH_CONNECT_MS, answerMs: GRAPH_ANSWER_MS });
