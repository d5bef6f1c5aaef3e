interface ExtendedScreen extends Screen {
  isExtended?: boolean;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

/**
 * Whether a second display is attached (R7 "only one display"): `screen.isExtended` where the
 * browser has it (Chromium), else null — the entry step then says it cannot tell.
 */
export function extraDisplay(): boolean | null {
  const s = window.screen as ExtendedScreen;
  return typeof s.isExtended === 'boolean' ? s.isExtended : null;
}

/** Calls `fn` when displays are attached or removed; returns the unsubscribe function. */
export function onDisplayChange(fn: () => void): () => void {
  const s = window.screen as ExtendedScreen;
  if (typeof s.addEventListener !== 'function') return () => undefined;
  s.addEventListener('change', fn);
  return () => s.removeEventListener('change', fn);
}
