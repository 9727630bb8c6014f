// Sign-in of the web catalog in Azure: the OAuth 2.0 authorization code flow with PKCE (RFC 7636), as a single-page
// application of the mesh API's Entra ID app registration (no client secret). The hub serves the settings as
// sign-in.json; `datamesh up` serves {"enabled":false} and the page stays open. The access token lives in this tab's
// sessionStorage only and goes in the Authorization header, never in a URL; the one-time code the sign-in returns in
// the address bar is taken out of it (history.replaceState) before anything else runs.

const STORE = 'datamesh.catalog.sign-in';
const PENDING = 'datamesh.catalog.sign-in.pending';
// Renew a little before the token expires, so a call never leaves with a token about to be refused.
const EXPIRY_MARGIN_MS = 60_000;

let settings = null;
let session = null;
// True when this page load redeemed a code: a token refused right after is not fixed by signing in again (no loop).
let signedInThisLoad = false;

/** A sign-in that could not complete: the page shows why instead of the catalog. */
export class SignInError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SignInError';
  }
}

/** The page's address without query or fragment: the SPA redirect URI registered for it (the hub's /api/catalog/). */
function redirectUri() {
  return window.location.origin + window.location.pathname;
}

function base64Url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) {
    text += String.fromCharCode(b);
  }
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function randomText() {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The claims of an ID token, for display only (the API validates the access token; the page trusts nothing here). */
function claimsOf(idToken) {
  try {
    const payload = idToken.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

/** Sends the browser to the tenant's sign-in; resolves never, as the page is being left. */
async function redirectToSignIn() {
  const verifier = randomText();
  const state = randomText();
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, hash: window.location.hash }));
  const url = new URL(settings.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    response_type: 'code',
    response_mode: 'query',
    redirect_uri: redirectUri(),
    scope: settings.scope,
    state,
    nonce: randomText(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
  return new Promise(() => {});
}

/** Back from the sign-in with ?code=&state= (or ?error=): redeems the code with the PKCE verifier of this tab. */
async function completeSignIn(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  // The code (or error) leaves the address bar and the history at once, whatever happens next.
  window.history.replaceState(null, '', redirectUri() + (pending?.hash || ''));
  if (params.has('error')) {
    throw new SignInError(`Sign-in failed: ${params.get('error_description') || params.get('error')}`);
  }

  if (!pending || params.get('state') !== pending.state) {
    throw new SignInError('Sign-in failed: the answer does not match a sign-in started in this tab. Reload the page to sign in again.');
  }

  let response;
  try {
    response = await fetch(settings.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: settings.clientId,
        grant_type: 'authorization_code',
        code: params.get('code'),
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
        scope: settings.scope,
      }),
    });
  } catch {
    throw new SignInError(`Sign-in failed: the token endpoint ${new URL(settings.tokenEndpoint).origin} could not be reached.`);
  }

  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new SignInError(`Sign-in failed: ${body.error_description || body.error || `the token endpoint answered ${response.status}`}.`);
  }

  const claims = claimsOf(body.id_token || '');
  session = {
    accessToken: body.access_token,
    expiresAt: Date.now() + Number(body.expires_in || 0) * 1000,
    name: claims.name || claims.preferred_username || null,
  };
  sessionStorage.setItem(STORE, JSON.stringify(session));
  signedInThisLoad = true;
  return session;
}

/**
 * Signs in when the hub asks for it, before the page calls the API: the session (token, expiry, display name), or null
 * when the catalog is open (locally). May leave the page for the tenant's sign-in and come back.
 */
export async function ready() {
  if (!settings) {
    const response = await fetch(new URL('sign-in.json', window.location.href), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    settings = response.ok ? await response.json() : { enabled: false };
  }

  if (!settings.enabled) {
    return null;
  }

  const params = new URLSearchParams(window.location.search);
  if (params.has('code') || params.has('error')) {
    return completeSignIn(params);
  }

  const stored = session || JSON.parse(sessionStorage.getItem(STORE) || 'null');
  if (stored && stored.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
    session = stored;
    return session;
  }

  return redirectToSignIn();
}

/** The Authorization header of an API call: the bearer token when signed in, none when the catalog is open. */
export async function authorization() {
  const current = await ready();
  return current ? { Authorization: `Bearer ${current.accessToken}` } : {};
}

/**
 * The API refused the token (expired early, revoked): forgets it and signs in again, once per page load; false when
 * that would not help (the catalog is open, or the token just issued is refused: the API's settings are at fault).
 */
export async function signInAgain() {
  if (!settings?.enabled || signedInThisLoad) {
    return false;
  }

  session = null;
  sessionStorage.removeItem(STORE);
  return redirectToSignIn();
}
