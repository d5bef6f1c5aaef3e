import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { reachability } from '../net/reachability.js';

/**
 * Whether this page is online: the browser has a network and our server answered the last request
 * (src/net/reachability.ts) — kept current from both.
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
    window.addEventListener('online', this.onChange);
    window.addEventListener('offline', this.onChange);
    reachability.addEventListener('change', this.onChange);
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.onChange);
    window.removeEventListener('offline', this.onChange);
    reachability.removeEventListener('change', this.onChange);
  }
}

const isOnline = () => navigator.onLine && reachability.reachable;
