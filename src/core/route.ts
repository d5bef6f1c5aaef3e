/** The app's modes, chosen by the URL hash; each is loaded only when visited. */
export type Route =
  | { mode: 'candidate'; examId: string | null }
  | { mode: 'evidence'; code: string }
  | { mode: 'proctor' }
  | { mode: 'review'; path: string };

/** `#/`, `#/?exam=ID`, `#/evidence` (or `/<code>`), `#/proctor`, `#/review/...`; anything else is the candidate's. */
export function parseRoute(hash: string): Route {
  const [rawPath = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = rawPath.split('/').filter(Boolean).map(safeDecode);
  const exam = queryParam(query, 'exam');
  if (parts[0] === 'evidence') return { mode: 'evidence', code: parts[1] ?? '' };
  if (parts[0] === 'proctor') return { mode: 'proctor' };
  if (parts[0] === 'review') return { mode: 'review', path: parts.slice(1).join('/') };
  const examId = exam && /^[A-Za-z0-9._-]{1,64}$/.test(exam) ? exam : null;
  return { mode: 'candidate', examId };
}

function queryParam(query: string, name: string): string | null {
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    if (safeDecode(key) === name) return safeDecode(value.replace(/\+/g, ' '));
  }
  return null;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
