/**
 * Preloaded into the Portkey child (`node --import`) for the "with the #1550 workaround" rows
 * only. Portkey adds headers to the `Response` its upstream `fetch` returned, whose headers Node's
 * fetch makes immutable, so every streamed call fails with `TypeError: immutable` (its open
 * issue #1550). Re-wrapping each response in a new `Response` (same status, headers and body
 * stream) gives it headers it may change; nothing else about Portkey is touched.
 */
const upstreamFetch = globalThis.fetch;
// Statuses whose Response may not have a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const response = await upstreamFetch(input, init);
  return new Response(NULL_BODY.has(response.status) ? null : response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};
