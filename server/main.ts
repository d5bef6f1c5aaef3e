import { configFromEnv } from './config.js';
import { startServer } from './start-server.js';
import { openFilesNote } from './open-files.js';
import { mallocNote } from './memory-note.js';

/** `node dist/node/server/main.js`: serves the app, API and WebSocket until SIGINT/SIGTERM. */
const config = configFromEnv();
const server = await startServer(config);
console.log(`invigil listening on ${server.url} (data in ${config.dataDir})`);
for (const note of [openFilesNote(), mallocNote()]) if (note) console.log(note);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
