// The simulated tenant's sign-in page (what login.microsoft.com is to a real tenant): a person types the emergency
// account's UPN and signs in with the security key. It runs WebAuthn in the browser with the page's own host as the
// relying party (a browser cannot claim login.microsoft.com), and the simulator writes the same Graph-shaped sign-in
// record as for a CTAP sign-in. Served as a static page plus a script and a style sheet, so it works under a strict
// CSP (the security-info site's: no inline script or style).

export const SIGN_IN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — SIMULATED tenant</title>
<link rel="stylesheet" href="/_simulator/sign-in.css">
</head>
<body>
<main>
<p class="banner" role="note"><strong>SIMULATED tenant.</strong> This is breakglass's simulated sign-in page, not Microsoft Entra ID.
A sign-in here writes a sign-in log record to the simulated tenant.</p>
<h1 id="title">Sign in</h1>
<form id="form">
  <label for="upn">Account (user principal name)</label>
  <input id="upn" name="upn" type="email" autocomplete="username" required spellcheck="false">
  <button id="go" type="submit">Sign in with a security key</button>
</form>
<div id="result" role="status" aria-live="polite"></div>
</main>
<script src="/_simulator/sign-in.js"></script>
</body>
</html>
`;

export const SIGN_IN_PAGE_JS = `'use strict';
(function () {
  const b64uToBuf = (s) => { const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)); const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u.buffer; };
  const bufToB64u = (buf) => { const u = new Uint8Array(buf); let s = ''; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''); };
  const form = document.getElementById('form');
  const result = document.getElementById('result');
  const params = new URLSearchParams(location.search);
  if (params.get('upn')) document.getElementById('upn').value = params.get('upn');
  function show(ok, title, rows) {
    result.className = ok ? 'ok' : 'fail';
    result.textContent = '';
    const p = document.createElement('p'); const s = document.createElement('strong'); s.textContent = title; p.appendChild(s); result.appendChild(p);
    if (rows) { const dl = document.createElement('dl'); for (const [k, v] of rows) { const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; dl.append(dt, dd); } result.appendChild(dl); }
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const user = document.getElementById('upn').value.trim();
    try {
      const o = await fetch('/_simulator/sign-in/options', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, page: true }) });
      const options = await o.json();
      if (!o.ok) { show(false, (options.error && options.error.message) || 'The sign-in could not start.'); return; }
      const pk = options.publicKey;
      const cred = await navigator.credentials.get({ publicKey: { challenge: b64uToBuf(pk.challenge), rpId: pk.rpId, timeout: pk.timeout, userVerification: pk.userVerification,
        allowCredentials: pk.allowCredentials.map((c) => ({ id: b64uToBuf(c.id), type: 'public-key', transports: c.transports })) } });
      const response = { id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type, clientExtensionResults: {}, authenticatorAttachment: cred.authenticatorAttachment || undefined,
        response: { clientDataJSON: bufToB64u(cred.response.clientDataJSON), authenticatorData: bufToB64u(cred.response.authenticatorData), signature: bufToB64u(cred.response.signature),
          userHandle: cred.response.userHandle ? bufToB64u(cred.response.userHandle) : undefined } };
      const v = await fetch('/_simulator/sign-in/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, response, page: true }) });
      const out = await v.json();
      if (!v.ok) { show(false, (out.error && out.error.message) || 'The sign-in failed.'); return; }
      show(out.ok, out.ok ? 'Signed in (simulated).' : 'Sign-in failed: ' + out.reason, [['Sign-in id', out.signIn.id], ['Time (UTC)', out.signIn.createdDateTime], ['Method', (out.signIn.authenticationDetails || []).map((d) => d.authenticationMethod).join(', ')]]);
    } catch (err) {
      show(false, 'The security key did not complete the sign-in: ' + (err && err.name ? err.name : 'error'));
    }
  });
})();
`;

export const SIGN_IN_PAGE_CSS = `  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1b; }
  .banner { background: #fff4ce; border: 1px solid #c19c00; padding: .75rem 1rem; border-radius: 4px; }
  label { display: block; margin-top: 1.25rem; font-weight: 600; }
  input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; margin-top: .25rem; }
  button { margin-top: 1rem; padding: .6rem 1.2rem; font-size: 1rem; background: #0f6cbd; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; }
  #result { margin-top: 1.5rem; padding: .75rem 1rem; border-radius: 4px; }
  #result.ok { background: #dff6dd; border: 1px solid #107c10; }
  #result.fail { background: #fde7e9; border: 1px solid #a4262c; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { font-weight: 600; }
`;
