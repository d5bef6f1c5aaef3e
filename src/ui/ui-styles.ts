import { css } from 'lit';

/** Shared look: system fonts (nothing fetched), high contrast, large touch targets. */
export const baseStyles = css`
  :host { display: block; color: #1b1f24; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; }
  h1, h2 { line-height: 1.25; margin: 0 0 0.75rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.15rem; }
  .card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 1.25rem; margin: 0 0 1rem; }
  label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
  input { box-sizing: border-box; width: 100%; font: inherit; padding: 0.6rem 0.7rem; border: 1px solid #8c959f; border-radius: 6px; }
  input:focus-visible, button:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  button { font: inherit; font-weight: 600; min-height: 44px; padding: 0.5rem 1.1rem; border-radius: 6px; border: 1px solid #0a5cc2; background: #0a5cc2; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0a5cc2; }
  button[disabled] { background: #8c959f; border-color: #8c959f; color: #fff; cursor: not-allowed; }
  .error { color: #a40e26; background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.75rem 0; }
  .warn { color: #5c3c00; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.75rem 0; }
  .note { color: #57606a; font-size: 0.9rem; }
  .actions { display: flex; gap: 0.75rem; flex-wrap: wrap; margin-top: 1rem; }
`;
