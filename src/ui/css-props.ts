import { noChange } from 'lit';
import { Directive, PartType, directive, type ElementPart, type PartInfo } from 'lit/directive.js';

/**
 * Sets CSS properties through the CSSOM on every render — `<span ${cssProps({ left: '10%' })}>`.
 * Lit's styleMap writes a style attribute on the first render, which our Content-Security-Policy
 * (`style-src 'self'`, no inline styles) blocks; the CSSOM is allowed.
 */
class CssProps extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('cssProps belongs in an element tag');
  }

  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- render() types the directive's argument; update() applies it
  render(props: Readonly<Record<string, string>>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Readonly<Record<string, string>>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    return noChange;
  }
}

export const cssProps = directive(CssProps);
