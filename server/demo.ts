import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromEnv } from './config.js';
import { createServices } from './services.js';
import { hashPassword } from './auth/password.js';
import { importExamFile } from './exam-import.js';
import { startServer } from './start-server.js';
import { DEMO_CANDIDATES, DEMO_EXAM_ID, DEMO_PROCTOR, NORMAL_TIMING, SHORT_TIMING, demoExam } from './demo-exam.js';

/**
 * `npm start`: writes a demo exam placed relative to now into DATA_DIR, imports it through the
 * same path as `invigil import`, clears the demo's earlier sessions and draws, then serves.
 * `--short` (or DEMO_SHORT=1) gives 1-minute phases starting in 3 minutes.
 */
const short = process.argv.includes('--short') || process.env.DEMO_SHORT === '1';
const timing = short ? SHORT_TIMING : NORMAL_TIMING;
const config = configFromEnv();
await mkdir(config.dataDir, { recursive: true });
const file = path.join(config.dataDir, 'demo-exam.json');
// Face match is on in the demo: the first candidate's roster photo is the example astronaut (the
// face the test camera feed shows); a real webcam will not match it — the proctor-check path.
const photo = fileURLToPath(new URL('../../../examples/photos/astronaut.png', import.meta.url));
await writeFile(file, JSON.stringify(demoExam(Date.now(), timing, await hashPassword(DEMO_PROCTOR.password), photo), null, 2));

const services = await createServices(config.dataDir);
const imported = await importExamFile(file, services.exams, services.blobs);
if (!imported.ok) throw new Error(`demo exam invalid:\n${imported.problems.join('\n')}`);
for (const table of ['sessions', 'lottery', 'progress', 'identity_checks', 'acceptances'] as const) {
  await services.db.deleteFrom(table).where('exam_id', '=', DEMO_EXAM_ID).execute();
}
await services.db.deleteFrom('upload_credentials').where('exam_id', '=', DEMO_EXAM_ID).execute();
await services.db.destroy();

const server = await startServer(config);
const start = new Date(imported.exam.timeline.start);
console.log(`
Invigil demo is running at ${server.url}   (data in ${config.dataDir})
The demo exam starts at ${start.toLocaleTimeString()} — in ${timing.startInMinutes} minutes; login is open now.

  Candidate:  ${server.url}/#/
${DEMO_CANDIDATES.map((c) => `              id ${c.id}  ticket code ${c.ticketCode}  (${c.name}, ${c.room})`).join('\n')}
  Proctor:    ${server.url}/#/proctor
              exam ${DEMO_EXAM_ID}  id ${DEMO_PROCTOR.id}  password ${DEMO_PROCTOR.password}
  Face match: on. ${DEMO_CANDIDATES[0].id} has a roster photo (examples/photos/astronaut.png) and is
              asked for consent after login; the others have none (live check by the proctor).

Stop with Ctrl+C.`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
