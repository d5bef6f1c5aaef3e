import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Whether the browser is online now, kept current from its `online`/`offline` events. */
export class OnlineController implements ReactiveController {
  online = navigator.onLine;
  private readonly onChange = () => {
    this.online = navigator.onLine;
    this.host.requestUpdate();
  };

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.online = navigator.onLine;
    window.addEventListener('online', this.onChange);
    window.addEventListener('offline', this.onChange);
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.onChange);
    window.removeEventListener('offline', this.onChange);
  }
}
