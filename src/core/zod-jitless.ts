import { z } from 'zod';

// Imported first by every browser entry (page, workers, service worker): zod's JIT probes
// `new Function`, which the app's Content-Security-Policy forbids (and reports). Interpreted
// parsing is fast enough for our message sizes.
z.config({ jitless: true });
