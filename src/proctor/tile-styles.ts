import { css } from 'lit';

/** The proctor tile's look: a video box on top, status lines and chips below. */
export const tileStyles = css`
  :host { display: block; min-width: 0; min-height: 0; }
  article { position: relative; display: flex; flex-direction: column; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 0.5rem; height: 100%; box-sizing: border-box; font-size: 0.9rem; overflow: hidden; }
  article.offline { border-color: #cf222e; box-shadow: inset 0 0 0 2px #ffcecb; }
  .open { position: absolute; inset: 0; width: 100%; min-height: 0; background: transparent; border: 0; border-radius: 8px; z-index: 1; padding: 0; }
  .open:hover { background: rgba(9, 105, 218, 0.06); }
  /*
   * Nothing is drawn over a live picture and it is not clipped (no rounded corners on its box):
   * either makes the compositor draw each of sixteen videos again into a layer of its own.
   */
  .media { position: relative; flex: 1 1 auto; min-height: 90px; background: #24292f; display: grid; place-items: center; }
  .media video, .media img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
  .events-only { color: #d0d7de; margin: 0; padding: 0.5rem; text-align: center; }
  .badges { display: flex; gap: 0.3rem; align-items: center; margin-left: auto; white-space: nowrap; }
  .rung { background: #24292f; color: #fff; border-radius: 4px; padding: 0 0.35rem; font-size: 0.8rem; }
  .unread { background: #cf222e; color: #fff; border-radius: 999px; padding: 0 0.5rem; font-weight: 700; }
  header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.25rem 0.5rem; margin-top: 0.35rem; overflow-wrap: anywhere; }
  .number { display: inline-block; min-width: 1.6em; text-align: center; background: #ddf4ff; color: #0a3069; border-radius: 4px; }
  p { margin: 0.2rem 0; }
  .bad { color: #a40e26; font-weight: 600; }
  .chips { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; padding: 0; margin: 0.25rem 0; }
  .chips li { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 999px; padding: 0 0.45rem; font-size: 0.8rem; }
  .chips li.suspicious { background: #ffebe9; border-color: #ff8182; color: #82071e; }
  .chips li.cant-see { background: #fff8c5; border-color: #d4a72c; color: #5c3c00; }
  .chips li.ok { background: #dafbe1; border-color: #4ac26b; color: #0a3622; }
  .uploads { display: flex; gap: 0.6rem; flex-wrap: wrap; color: #57606a; }
`;
