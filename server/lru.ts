/**
 * A bounded map that forgets the least recently used entry first: `get` of a key makes it the
 * newest, `set` past `max` entries drops the oldest (a Map keeps insertion order).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    const oldest = this.map.keys().next();
    if (this.map.size > this.max && !oldest.done) this.map.delete(oldest.value);
  }

  delete(key: K): void {
    this.map.delete(key);
  }
}
