// The catalog's JSON API, read-only. Every call goes to the same origin under /api (the Functions host's route
// prefix, and what `datamesh up` serves). In Azure the page signs in first (auth.js) and sends the access token in the
// Authorization header; no key or token ever goes in a URL.

import { authorization, signInAgain } from './auth.js';

const apiBase = new URL('/api/', window.location.origin);

/** An API answer that is not a success: carries the problem's detail for the user. */
export class ApiError extends Error {
  constructor(status, detail, url) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.url = url;
  }
}

/** GETs a path below /api with query parameters (empty values left out) and returns the parsed JSON body. */
export async function getJson(path, params = {}, signal = undefined) {
  const url = new URL(path, apiBase);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      url.searchParams.set(name, String(value));
    }
  }
  // Outside the try: a sign-in that fails says so itself, it is not an unreachable API.
  const headers = { Accept: 'application/json', ...(await authorization()) };
  let response;
  try {
    response = await fetch(url, { headers, signal, credentials: 'same-origin' });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, `The catalog API at ${url.pathname} could not be reached: is the mesh running?`, url.pathname);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  // A token the API refuses as such (not a product's access, which is 401 only without a token): sign in again.
  if (response.status === 401 && /invalid_token/.test(response.headers.get('WWW-Authenticate') || '') && await signInAgain()) {
    return new Promise(() => {});
  }

  if (!response.ok) {
    const detail = body && (body.detail || body.error || body.title);
    throw new ApiError(response.status, detail || `The catalog API answered ${response.status} for ${url.pathname}.`, url.pathname);
  }
  return body;
}

const encode = (id) => encodeURIComponent(id);

/** One page of a product search. */
export const searchProducts = (filters, continuationToken, pageSize, signal) =>
  getJson('products', { ...filters, continuationToken, pageSize }, signal);

/** Every product (every page), for the filters' choices. */
export async function allProducts(signal) {
  const items = [];
  let token;
  for (let page = 0; page < 50; page++) {
    const answer = await getJson('products', { pageSize: 100, continuationToken: token }, signal);
    items.push(...answer.items);
    token = answer.continuationToken;
    if (!token) {
      break;
    }
  }
  return items;
}

export const getProduct = (id, signal) => getJson(`products/${encode(id)}`, {}, signal);
export const getRuns = (id, limit, signal) => getJson(`products/${encode(id)}/runs`, { limit }, signal);
export const getQuarantine = (id, signal) => getJson(`products/${encode(id)}/quarantine`, {}, signal);
export const getQuality = (id, limit, signal) => getJson(`products/${encode(id)}/quality`, { limit }, signal);
export const getLineage = (id, depth, signal) => getJson(`products/${encode(id)}/lineage`, { direction: 'both', depth }, signal);
