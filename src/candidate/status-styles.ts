import { css } from 'lit';

/** Pass / warn / fail badges and the list they sit in (device check, entry conditions). */
export const statusStyles = css`
  .status-list { list-style: none; padding: 0; margin: 1rem 0 0; }
  .status-list li { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.6rem; padding: 0.5rem 0; border-top: 1px solid #eaeef2; }
  .badge { display: inline-block; min-width: 3.5em; text-align: center; border-radius: 999px; padding: 0 0.6em; font-size: 0.85rem; font-weight: 700; }
  .badge.pass { background: #dafbe1; color: #116329; }
  .badge.warn { background: #fff8c5; color: #7d4e00; }
  .badge.fail { background: #ffebe9; color: #a40e26; }
`;
