import { expect } from '@open-wc/testing';
import type { EventType } from '../../src/core/event-schema.js';
import { IntegrityMonitor } from '../../src/candidate/integrity-monitor.js';

describe('IntegrityMonitor', () => {
  let logged: EventType[];
  let monitor: IntegrityMonitor;
  beforeEach(() => {
    logged = [];
    monitor = new IntegrityMonitor((type) => logged.push(type));
    monitor.start();
  });
  afterEach(() => monitor.stop());

  it('blocks and logs copy, cut, paste and the context menu; paste into a text box is allowed', () => {
    const fire = (type: string, target: EventTarget = document.body) => {
      const e = new Event(type, { bubbles: true, cancelable: true, composed: true });
      target.dispatchEvent(e);
      return e.defaultPrevented;
    };
    expect(fire('copy')).to.equal(true);
    expect(fire('cut')).to.equal(true);
    expect(fire('paste')).to.equal(true);
    expect(fire('contextmenu')).to.equal(true);
    const box = document.createElement('textarea');
    document.body.append(box);
    expect(fire('paste', box), 'the help chat may paste').to.equal(false);
    box.remove();
    expect(logged).to.deep.equal(['copy', 'copy', 'paste', 'context-menu']);
  });

  it('logs PrintScreen, switching away, offline and online, and device changes', () => {
    document.dispatchEvent(new KeyboardEvent('keyup', { key: 'PrintScreen', bubbles: true }));
    window.dispatchEvent(new Event('blur'));
    window.dispatchEvent(new Event('offline'));
    window.dispatchEvent(new Event('online'));
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    expect(logged).to.deep.equal(['print-screen', 'window-blur', 'offline', 'online', 'device-change']);
  });

  it('nothing is logged or blocked after stop', () => {
    monitor.stop();
    const e = new Event('copy', { bubbles: true, cancelable: true });
    document.body.dispatchEvent(e);
    expect(e.defaultPrevented).to.equal(false);
    expect(logged).to.deep.equal([]);
  });
});
