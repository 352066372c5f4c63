import { traceMark } from "../common/trace.js";
import type { FetchLike } from "../push/registry-api.js";

/**
 * The registry transport with each request's start and answer marked on the process's trace
 * (RUNNER_KIT_TRACE): the registry calls of a build's first second show next to the
 * daemon's. The URL's query (it may hold a scope) is left out; nothing else is read.
 */
export function tracedFetch(fetch: FetchLike): FetchLike {
  return async (url, init) => {
    const what = `registry: ${init?.method ?? "GET"} ${url.split("?")[0]}`;
    traceMark(`${what} sent`);
    const response = await fetch(url, init);
    traceMark(`${what} answered ${response.status}`);
    return response;
  };
}
