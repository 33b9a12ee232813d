// Login, with a second step for users who have TOTP enabled.

import { login } from '../api.js';
import { clear, h } from '../lib/dom.js';

export function loginView(root, r) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const totp = h('input', { id: 'totp', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6 });
  const totpRow = h('label.field', { hidden: true }, 'Authenticator code', totp);
  const err = h('div.error', { id: 'login-error', role: 'alert' });
  const btn = h('button.primary', { type: 'submit', id: 'login-submit' }, 'Sign in');
  const form = h('form.login-card', {
    onsubmit: async (e) => {
      e.preventDefault();
      btn.disabled = true;
      err.textContent = '';
      try {
        await login(user.value.trim(), pass.value, totp.value.trim() || undefined);
        const next = r.params.get('next');
        location.hash = next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/';
      } catch (ex) {
        if (ex.totpRequired) {
          totpRow.hidden = false;
          totp.focus();
          err.textContent = totp.value ? 'Wrong or expired code.' : 'Enter the code from your authenticator app.';
        } else {
          err.textContent = ex.status === 401 ? 'Wrong user name or password.' : ex.message;
          if (ex.status === 429) err.textContent = 'Too many attempts; try again later.';
        }
      } finally {
        btn.disabled = false;
      }
    },
  },
  h('div.login-brand', h('span.logo', '◆'), 'spoor'),
  h('p.muted', 'Malicious traffic detection'),
  h('label.field', 'User name', user),
  h('label.field', 'Password', pass),
  totpRow, err, btn);
  clear(root, h('div.login-page', form));
  return { el: null };
}
