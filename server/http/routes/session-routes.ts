import { Hono } from 'hono';
import { CandidateLoginRequest, ProctorLoginRequest, RefreshRequest } from '../../../src/core/api-schema.js';
import type { Changes } from '../../domain/changes.js';
import type { Sessions } from '../../domain/sessions.js';
import { jsonBody } from '../validate.js';
import { requireRole, type AuthEnv } from '../auth.js';
import { clientAddress } from '../client-address.js';

export function sessionRoutes(sessions: Sessions, changes: Changes): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post('/candidate', async (c) => {
    const body = await jsonBody(c, CandidateLoginRequest);
    const reply = await sessions.candidateLogin({ ...body, address: clientAddress(c) });
    changes.emit({ kind: 'candidate', exam: reply.examId, candidate: body.candidateId });
    return c.json(reply);
  });
  app.post('/proctor', async (c) => c.json(await sessions.proctorLogin({ ...await jsonBody(c, ProctorLoginRequest), address: clientAddress(c) })));
  app.post('/refresh', async (c) => c.json(await sessions.refresh((await jsonBody(c, RefreshRequest)).refreshToken)));
  for (const role of ['candidate', 'proctor'] as const) {
    app.delete(`/${role}`, requireRole(sessions, role), async (c) => {
      await sessions.logout(c.get('auth').sid);
      return c.body(null, 204);
    });
  }
  return app;
}
