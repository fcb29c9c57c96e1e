/**
 * @module idp/console/assets/console.js
 * The console's progressive enhancement. Every page works without it; with it:
 * - copy buttons (`button.copy[data-copy=<element id>]`) put that element's text on the clipboard and say so;
 * - forms with `data-confirm` ask before they submit, and then send `confirmed=1` (without the script the
 *   server shows a confirmation page instead);
 * - a rejected form's error summary, and the playground's result, receive focus (screen readers read them);
 * - the live figures (`[data-live]`) refresh every five seconds, with a button that pauses it (and a pause
 *   of its own after ten unattended minutes).
 * Served by the console itself (Content-Security-Policy `script-src 'self'`): no inline script, no CDN.
 */

/** A polite live region, so screen readers hear what a button did (its changed label alone is not read). */
function liveRegion() {
  let region = document.getElementById('announcer');
  if (!region) {
    region = document.createElement('span');
    region.id = 'announcer';
    region.className = 'visually-hidden';
    region.setAttribute('role', 'status');
    document.body.append(region);
  }
  return region;
}

function announce(button, text) {
  const original = button.dataset.label || button.textContent;
  button.dataset.label = original;
  button.textContent = text;
  liveRegion().textContent = text === 'Copied' ? `${original.replace(/^Copy/, 'Copied')}.` : text;
  setTimeout(() => {
    button.textContent = original;
  }, 2000);
}

/** Selects the element's text and copies it the old way (clipboard API missing or refused). */
function copyBySelection(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

function enableCopyButtons() {
  for (const button of document.querySelectorAll('button.copy[data-copy]')) {
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      const text = source.textContent.trim();
      let copied = false;
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch {
        copied = copyBySelection(source);
      }
      announce(button, copied ? 'Copied' : 'Press Ctrl+C to copy');
    });
  }
}

function enableConfirmations() {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      if (!form.querySelector('input[name="confirmed"]')) {
        const confirmed = document.createElement('input');
        confirmed.type = 'hidden';
        confirmed.name = 'confirmed';
        confirmed.value = '1';
        form.append(confirmed);
      }
    });
  }
}

function focusFirstMessage() {
  const target = document.querySelector('.error-summary') || document.querySelector('#playground-results h2');
  if (target) target.focus();
}

function valueAt(figures, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), figures);
}

function formatFigure(name, value) {
  if (name === 'at') return new Date(value).toISOString();
  if (name.startsWith('rates.')) return value === undefined ? '—' : `${value} / min`;
  return String(value);
}

/**
 * Refreshes every five seconds while someone is there: after ten minutes without a key press or pointer
 * event it pauses itself, so an unattended page does not keep the session alive past its idle timeout.
 */
function enableLiveFigures() {
  const container = document.querySelector('[data-live]');
  if (!container) return;
  const UNATTENDED_MS = 10 * 60 * 1000;
  let paused = false;
  let lastInput = Date.now();
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'secondary';
  const setPaused = (value) => {
    paused = value;
    toggle.setAttribute('aria-pressed', String(paused));
    toggle.textContent = paused ? 'Resume auto-refresh' : 'Pause auto-refresh';
  };
  setPaused(false);
  toggle.addEventListener('click', () => setPaused(!paused));
  for (const type of ['keydown', 'pointerdown']) {
    document.addEventListener(type, () => {
      lastInput = Date.now();
    });
  }
  container.prepend(toggle);
  const refresh = async () => {
    if (!paused && Date.now() - lastInput > UNATTENDED_MS) setPaused(true);
    if (paused || document.hidden) return;
    try {
      const response = await fetch(container.dataset.live, { headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const figures = await response.json();
      for (const element of container.querySelectorAll('[data-figure]')) {
        const name = element.dataset.figure;
        element.textContent = formatFigure(name, valueAt(figures, name));
      }
    } catch {
      // The next tick tries again; the Refresh link still works.
    }
  };
  setInterval(refresh, 5000);
}

enableCopyButtons();
enableConfirmations();
focusFirstMessage();
enableLiveFigures();
