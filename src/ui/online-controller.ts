import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { reachability } from '../net/reachability.js';

/**
 * Whether this page is online: the browser has a network and our server answered the last request
 * (src/net/reachability.ts), which also hears the browser's `online`/`offline`.
 */
export class OnlineController implements ReactiveController {
  online = isOnline();
  private readonly onChange = () => {
    this.online = isOnline();
    this.host.requestUpdate();
  };

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.online = isOnline();
    // The browser's `offline` is heard through reachability (it marks the server unreachable at once).
    reachability.addEventListener('change', this.onChange);
  }

  hostDisconnected(): void {
    reachability.removeEventListener('change', this.onChange);
  }
}

const isOnline = () => navigator.onLine && reachability.reachable;
