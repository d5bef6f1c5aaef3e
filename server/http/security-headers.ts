import type { MiddlewareHandler } from 'hono';

/**
 * The app's Content-Security-Policy: everything from our own origin, no inline script or style,
 * no eval — only `'wasm-unsafe-eval'`, which tfjs's WASM backend needs to compile its module.
 * Camera frames and recordings play from MediaStreams and blob: URLs; the login frame and QR
 * codes are blob:/data: images. Nothing may frame the app.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  'report-uri /api/csp-report',
].join('; ');

/** Camera, microphone, screen capture and wake lock for our own pages only; the rest off. */
export const PERMISSIONS_POLICY = [
  'camera=(self)', 'microphone=(self)', 'display-capture=(self)', 'screen-wake-lock=(self)', 'fullscreen=(self)',
  'geolocation=()', 'payment=()', 'usb=()', 'serial=()', 'hid=()', 'midi=()',
].join(', ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': PERMISSIONS_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Sets the security headers on every reply, errors included. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(HEADERS)) c.res.headers.set(name, value);
  };
}
