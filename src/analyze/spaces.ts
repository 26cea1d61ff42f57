// Channel spaces with union-find: the bookkeeping under channel-group analysis.
import { fail } from '../core/errors.ts';
import type { Member } from '../core/types.ts';

/** One run of a tensor's channels that belongs to one space. */
export interface Segment {
  space: number;
  /** Offset of this run in the tensor's channel axis. */
  pos: number;
  length: number;
  /** Depthwise layers passed since the space began (part of the FSCL path). */
  via: { layer: string; offset: number }[];
}

/** How a tensor's channels map to spaces; `flat` after Flatten (index = p·channels + c). */
export interface Layout {
  segments: Segment[];
  flat?: { positions: number; channels: number };
}

/** A space's members, each tagged with the order it was found in. */
interface Space {
  size: number;
  origin: string;
  originOrder: number;
  lockReasons: string[];
  members: { seq: number; member: Member }[];
  /** The node outputs this space (and those joined to it) covers: node name and first channel. */
  parts: { node: string; start: number }[];
}

/** Spaces joined by union-find; members and locks accumulate on each space. */
export class SpaceTable {
  private readonly spaces: Space[] = [];
  private readonly parent: number[] = [];
  private seq = 0;

  /** Start a new space of `size` channels at a layer (`part`: the node output's channels it covers, from `start`). */
  create(size: number, origin: string, originOrder: number, lockReason?: string, part?: { node: string; start: number }): number {
    this.spaces.push({ size, origin, originOrder, lockReasons: lockReason ? [lockReason] : [], members: [], parts: part ? [part] : [] });
    this.parent.push(this.spaces.length - 1);
    return this.spaces.length - 1;
  }

  /** The representative of a space. */
  find(id: number): number {
    let root = id;
    while (this.parent[root] !== root) root = this.parent[root] as number;
    let node = id;
    while (this.parent[node] !== root) {
      const next = this.parent[node] as number;
      this.parent[node] = root;
      node = next;
    }
    return root;
  }

  /** Join two spaces (they must hold the same number of channels). */
  union(a: number, b: number, where: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const sa = this.spaces[ra] as Space;
    const sb = this.spaces[rb] as Space;
    if (sa.size !== sb.size) {
      fail('INVALID_MODEL', { expected: `${sa.size} channels on every input`, found: `${sb.size}`, where, hint: 'merged tensors must have equal channel counts' });
    }
    const [keep, drop] = sa.originOrder <= sb.originOrder ? [ra, rb] : [rb, ra];
    const k = this.spaces[keep] as Space;
    const d = this.spaces[drop] as Space;
    k.members.push(...d.members);
    k.lockReasons.push(...d.lockReasons);
    k.parts.push(...d.parts);
    this.parent[drop] = keep;
  }

  /** Add a member to a space. */
  addMember(space: number, member: Member): void {
    (this.spaces[this.find(space)] as Space).members.push({ seq: this.seq++, member });
  }

  /** Lock a space with a reason. */
  lock(space: number, reason: string): void {
    const s = this.spaces[this.find(space)] as Space;
    if (!s.lockReasons.includes(reason)) s.lockReasons.push(reason);
  }

  /** Every node output part joined into a space (where a cut of the space must be made). */
  partsOf(space: number): readonly { node: string; start: number }[] {
    return (this.spaces[this.find(space)] as Space).parts;
  }

  /** Size of a space. */
  sizeOf(space: number): number {
    return (this.spaces[this.find(space)] as Space).size;
  }

  /** Every root space with its origin, lock reasons and members in discovery order. */
  roots(): { origin: string; originOrder: number; size: number; lockReasons: string[]; members: Member[] }[] {
    return this.spaces
      .map((s, i) => ({ s, i }))
      .filter(({ i }) => this.find(i) === i)
      .map(({ s }) => ({
        origin: s.origin,
        originOrder: s.originOrder,
        size: s.size,
        lockReasons: [...new Set(s.lockReasons)],
        members: [...s.members].sort((a, b) => a.seq - b.seq).map((m) => m.member),
      }))
      .sort((a, b) => a.originOrder - b.originOrder);
  }
}
