// Growable typed columns and a string interner: the building blocks that let answers stream in
// one at a time without keeping one object per answer.

export class IntColumn {
  private data = new Int32Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.size);
  }
}

export class FloatColumn {
  private data = new Float64Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.size);
  }
}

/** Dense indices for string ids, in order of first appearance. */
export class Interner {
  readonly ids: string[] = [];
  private readonly indexById = new Map<string, number>();

  index(id: string): number {
    let index = this.indexById.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.indexById.set(id, index);
      this.ids.push(id);
    }
    return index;
  }

  get size(): number {
    return this.ids.length;
  }
}
