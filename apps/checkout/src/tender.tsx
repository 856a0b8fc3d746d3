import { render } from 'preact';
import { CheckoutApi } from './api';
import { Checkout } from './checkout';
import './tender.css';

/**
 * The drop-in: `Tender.mount('#el', { session: widget.data })`. It talks to the Tender that served
 * this script (its URL minus `/checkout/v1/tender.js`), with the session's credential only. Tender's
 * hosted page mounts it on `[data-tender-hosted]` with the credential from the URL fragment.
 */
const script = document.currentScript as HTMLScriptElement | null;
const scriptUrl = script?.src ?? '';
const baseUrl = scriptUrl.replace(/\/checkout\/v1\/tender\.js(\?.*)?$/, '');

export interface MountOptions {
  session: string;
}

function mount(target: string | Element, options: MountOptions, hosted = false): { unmount(): void } {
  const element = typeof target === 'string' ? document.querySelector(target) : target;
  if (!element) throw new Error(`Tender.mount: no element ${typeof target === 'string' ? target : ''}`);
  if (!options?.session) throw new Error('Tender.mount: options.session (widget.data) is required');
  ensureStyles();
  const api = new CheckoutApi(baseUrl, options.session);
  render(<Checkout api={api} hosted={hosted} navigate={(url) => window.location.assign(url)} />, element);
  return { unmount: () => render(null, element) };
}

/** The drop-in's style sheet, served beside it (a <link>, so pages need no 'unsafe-inline' style). */
function ensureStyles(): void {
  if (document.querySelector('link[data-tender-styles]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = `${baseUrl}/checkout/v1/tender.css`;
  link.dataset.tenderStyles = '';
  document.head.appendChild(link);
}

(window as unknown as { Tender: unknown }).Tender = { mount };

const hostedRoot = document.querySelector('[data-tender-hosted]');
if (hostedRoot) {
  const credential = decodeURIComponent(window.location.hash.slice(1));
  // The credential leaves the address bar (and the history entry) as soon as it is read.
  history.replaceState(null, '', window.location.pathname + window.location.search);
  mount(hostedRoot, { session: credential }, true);
}
