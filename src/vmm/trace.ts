/**
 * The launch trace: the ordered ioctls a VMM issued, the SEAMCALLs each one made (with status),
 * and the running MRTD after each ioctl. Page-level calls are coalesced into GPA ranges as they
 * are recorded, so a 256 MiB payload costs a few entries, not a million.
 */
import { toHex } from "../bytes.js";
import { statusName } from "../module/status.js";

/** Consecutive SEAMCALLs of one kind and status within an ioctl, GPAs merged into ranges. */
export interface SeamcallRun {
  readonly call: string;
  readonly status: bigint;
  count: number;
  /** [start, end) GPA ranges touched, merged when contiguous (absent for non-GPA calls). */
  readonly ranges: [number, number][];
  /** Other arguments of the first call of the run (e.g. VP.INIT's RCX). */
  readonly args?: Readonly<Record<string, string | number>>;
}

export interface TraceEvent {
  readonly fd: "system" | "vm" | "vcpu" | "qemu";
  readonly name: string;
  readonly args: Readonly<Record<string, string | number | boolean>>;
  /** 0 on success, else the negated errno name (e.g. "-EINVAL"). */
  result: string;
  /** Raw TDX status copied to kvm_tdx_cmd.hw_error on failure. */
  hwError?: bigint;
  note?: string;
  readonly seamcalls: SeamcallRun[];
  /** Running MRTD after this ioctl (when the replay tracks it and SEAMCALLs touched MRTD). */
  mrtd?: Uint8Array;
}

export class LaunchTrace {
  readonly events: TraceEvent[] = [];
  private current: TraceEvent | undefined;
  /** Latest run of each call kind in the current event (page-by-page order keeps two open). */
  private readonly open = new Map<string, SeamcallRun>();

  /** Opens an event; SEAMCALLs recorded until `end` belong to it. */
  begin(fd: TraceEvent["fd"], name: string, args: TraceEvent["args"] = {}): TraceEvent {
    const ev: TraceEvent = { fd, name, args, result: "0", seamcalls: [] };
    this.events.push(ev);
    this.current = ev;
    this.open.clear();
    return ev;
  }

  end(result: string, extra: { hwError?: bigint; note?: string; mrtd?: Uint8Array | undefined } = {}): void {
    const ev = this.current;
    if (!ev) return;
    ev.result = result;
    if (extra.hwError !== undefined) ev.hwError = extra.hwError;
    if (extra.note !== undefined) ev.note = extra.note;
    if (extra.mrtd !== undefined) ev.mrtd = extra.mrtd;
    this.current = undefined;
  }

  /** A note-only event (QEMU decisions such as the page order or where MAX_VCPUS came from). */
  note(name: string, note: string, args: TraceEvent["args"] = {}): void {
    this.begin("qemu", name, args);
    this.end("0", { note });
  }

  /**
   * Records one SEAMCALL. `gpa`/`size` describe the memory it touched; a call continues the
   * latest run of the same kind and status (page-by-page interleaving keeps two open runs).
   */
  seamcall(
    call: string,
    status: bigint,
    gpa?: number,
    size = 0,
    args?: Record<string, string | number>,
    /** Number of identical calls this entry stands for (contiguous over `size` bytes). */
    times = 1,
  ): void {
    const ev = this.current;
    if (!ev) return;
    let run = args ? undefined : this.open.get(call);
    if (!run || run.status !== status) {
      run = { call, status, count: 0, ranges: [], ...(args ? { args } : {}) };
      ev.seamcalls.push(run);
      if (!args) this.open.set(call, run);
    }
    run.count += times;
    if (gpa === undefined) return;
    const ranges = run.ranges;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === gpa) last[1] = gpa + size;
    else ranges.push([gpa, gpa + size]);
  }

  /** Number of successful calls of `call` in the whole trace. */
  count(call: string): number {
    let n = 0;
    for (const ev of this.events)
      for (const r of ev.seamcalls) if (r.call === call && r.status === 0n) n += r.count;
    return n;
  }

  /** Plain JSON value (bytes and statuses as hex strings). */
  toJSON(): unknown[] {
    const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, "0")}`;
    return this.events.map((e) => ({
      fd: e.fd,
      name: e.name,
      args: e.args,
      result: e.result,
      ...(e.hwError !== undefined ? { hwError: hex(e.hwError) } : {}),
      ...(e.note ? { note: e.note } : {}),
      seamcalls: e.seamcalls.map((r) => ({
        call: r.call,
        status: hex(r.status),
        statusName: statusName(r.status),
        count: r.count,
        ...(r.ranges.length
          ? { ranges: r.ranges.map(([a, b]) => [`0x${a.toString(16)}`, `0x${b.toString(16)}`]) }
          : {}),
        ...(r.args ? { args: r.args } : {}),
      })),
      ...(e.mrtd ? { mrtd: toHex(e.mrtd) } : {}),
    }));
  }

  /**
   * Compact text form for `--trace`: one line per ioctl, one indented line per SEAMCALL run, and
   * the running MRTD whenever it changed.
   */
  format(): string {
    const lines: string[] = [];
    let lastMrtd: string | undefined;
    for (const e of this.events) {
      const args = Object.entries(e.args)
        .map(
          ([k, v]) =>
            `${k}=${typeof v === "number" && k !== "id" && v > 9 ? `0x${v.toString(16)}` : String(v)}`,
        )
        .join(" ");
      const hw = e.hwError !== undefined ? ` hw_error=${statusName(e.hwError)}` : "";
      lines.push(
        `${e.fd.padEnd(6)} ${e.name}${args ? ` ${args}` : ""} -> ${e.result}${hw}${e.note ? `  # ${e.note}` : ""}`,
      );
      for (const r of e.seamcalls) {
        const ranges = r.ranges.map(([a, b]) => `[0x${a.toString(16)}..0x${b.toString(16)})`).join(" ");
        const extra = r.args
          ? ` ${Object.entries(r.args)
              .map(([k, v]) => `${k}=${v}`)
              .join(" ")}`
          : "";
        lines.push(
          `         ${r.call} x${r.count}${ranges ? ` ${ranges}` : ""}${extra} -> ${statusName(r.status)}`,
        );
      }
      const m = e.mrtd ? toHex(e.mrtd) : undefined;
      if (m !== undefined && m !== lastMrtd) lines.push(`         MRTD so far ${m}`);
      lastMrtd = m ?? lastMrtd;
    }
    return `${lines.join("\n")}\n`;
  }
}
