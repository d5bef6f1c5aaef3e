import './core/zod-jitless.js';
import { locale } from './i18n/i18n.js';
import './app/invigil-app.js';

document.documentElement.lang = locale();

// The service worker precaches the shell so the app opens with the network off.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      console.warn('service worker not registered', err);
    });
  });
}
