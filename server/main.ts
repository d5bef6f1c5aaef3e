import { configFromEnv } from './config.js';
import { startServer } from './start-server.js';
import { openFilesNote } from './open-files.js';

/** `node dist/node/server/main.js`: serves the app, API and WebSocket until SIGINT/SIGTERM. */
const config = configFromEnv();
const server = await startServer(config);
console.log(`invigil listening on ${server.url} (data in ${config.dataDir})`);
const files = openFilesNote();
if (files) console.log(files);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
