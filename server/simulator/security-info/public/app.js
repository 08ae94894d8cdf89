// The simulated security-info page: sign in with a Temporary Access Pass, then register a security key with WebAuthn
// through @simplewebauthn/browser (loaded as /webauthn.js). Plain script, no build step; strict CSP, no inline code.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const show = (id) => {
    for (const s of ['sign-in', 'security-info']) $(s).hidden = s !== id;
    const h = $(id).querySelector('h1');
    if (h) { h.tabIndex = -1; h.focus(); }
  };
  const error = (id, message) => {
    const el = $(id);
    el.textContent = message || '';
    el.hidden = !message;
  };

  async function call(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.message || `The request failed (${res.status}).`), { status: res.status, code: data.error });
    return data;
  }

  function renderMethods(me) {
    $('who').textContent = me.upn;
    $('window-end').textContent = new Date(me.registrationEndsAt).toLocaleTimeString();
    const body = $('methods');
    body.textContent = '';
    for (const m of me.methods) {
      const tr = document.createElement('tr');
      for (const v of [m.type, m.name, m.detail]) {
        const td = document.createElement('td');
        td.textContent = v || '';
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  async function load() {
    try {
      const t = await call('GET', '/api/tenant');
      $('tenant-name').textContent = `"${t.displayName}" (${t.domain})`;
    } catch { /* banner stays generic */ }
    try {
      renderMethods(await call('GET', '/api/me'));
      show('security-info');
    } catch {
      show('sign-in');
    }
  }

  $('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    error('sign-in-error', '');
    const username = $('username').value.trim();
    const pass = $('pass').value;
    if (!username || !pass) return error('sign-in-error', 'Enter the account name and the Temporary Access Pass.');
    try {
      await call('POST', '/api/sign-in', { username, pass });
      $('pass').value = '';
      renderMethods(await call('GET', '/api/me'));
      show('security-info');
    } catch (err) {
      $('pass').value = '';
      error('sign-in-error', err.message);
    }
  });

  $('add-key-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    error('add-key-error', '');
    $('add-key-done').hidden = true;
    const name = $('key-name').value.trim();
    if (!name) return error('add-key-error', 'Give the key a name, so you can tell your keys apart.');
    const button = $('register');
    button.disabled = true;
    try {
      const options = await call('POST', '/api/security-key/options', {});
      const response = await window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
      const method = await call('POST', '/api/security-key/register', { displayName: name, response });
      $('add-key-done').textContent = `Security key "${method.displayName}" was registered.`;
      $('add-key-done').hidden = false;
      renderMethods(await call('GET', '/api/me'));
    } catch (err) {
      error('add-key-error', err.name === 'NotAllowedError' ? 'The key did not answer, or the request was cancelled. Try again.' : err.message);
    } finally {
      button.disabled = false;
    }
  });

  $('sign-out').addEventListener('click', async () => {
    await call('POST', '/api/sign-out', {}).catch(() => undefined);
    $('who').textContent = '';
    show('sign-in');
  });

  load();
})();
