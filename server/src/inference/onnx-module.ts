/**
 * One ONNX module of a pack: an onnxruntime session addressed by *logical* tensor names (the
 * manifest maps them to the export's real names), with the names checked against the real session
 * at load and the shapes of what comes back checked on every run.
 */
import * as ort from 'onnxruntime-node';
import { InferenceError, modelUnavailable } from './errors.ts';
import type { PackModule } from './manifest.ts';

/** Execution providers understood by `ORT_PROVIDERS` (comma-separated). */
export type Provider = 'cpu' | 'cuda';

/** Parses `cpu`, `cuda,cpu`, … (unknown names are refused with the list of known ones). */
export function parseProviders(value: string | readonly string[] | undefined): Provider[] {
  const list = (typeof value === 'string' ? value.split(',') : (value ?? ['cpu']))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const p of list) {
    if (p !== 'cpu' && p !== 'cuda')
      throw new InferenceError('INVALID_INPUT', `Unknown execution provider "${p}" (known: cpu, cuda)`);
  }
  return list.length > 0 ? (list as Provider[]) : ['cpu'];
}

/** An expected shape: a number per axis, `-1` for "any". */
export type ShapeSpec = readonly number[];

/** What a role must map (from `LOGICAL_TENSORS`). */
export interface LogicalSpec {
  inputs: readonly string[];
  outputs: readonly string[];
  optionalInputs?: readonly string[];
}

type Log = (message: string) => void;

/** A loaded module. `run` takes and returns logical names. */
export class OnnxModule {
  private constructor(
    readonly role: string,
    readonly session: ort.InferenceSession,
    readonly providers: Provider[],
    private readonly inputNames: Map<string, string>,
    private readonly outputNames: Map<string, string>,
    readonly options: Readonly<Record<string, string | number | boolean>>,
  ) {}

  /**
   * Creates the session and checks that every mapped tensor exists in it. With `cuda` requested
   * and unavailable, falls back to `cpu` and logs a warning.
   */
  static async load(
    role: string,
    path: string,
    mod: PackModule,
    spec: LogicalSpec,
    providers: readonly Provider[],
    log: Log = (m) => console.warn(m),
  ): Promise<OnnxModule> {
    const opts = (eps: readonly Provider[]): ort.InferenceSession.SessionOptions => ({
      executionProviders: [...eps],
      graphOptimizationLevel: 'all',
    });
    let session: ort.InferenceSession;
    let used = [...providers];
    try {
      session = await ort.InferenceSession.create(path, opts(providers));
    } catch (err) {
      if (providers.every((p) => p === 'cpu')) {
        throw modelUnavailable(`Cannot load ${role} (${path}): ${(err as Error).message}`, {
          reason: 'malformed',
        });
      }
      log(
        `onnxruntime: providers ${providers.join(',')} unavailable for ${role} (${(err as Error).message}); using cpu`,
      );
      used = ['cpu'];
      try {
        session = await ort.InferenceSession.create(path, opts(used));
      } catch (err2) {
        throw modelUnavailable(`Cannot load ${role} (${path}): ${(err2 as Error).message}`, {
          reason: 'malformed',
        });
      }
    }
    const inputNames = new Map<string, string>();
    const outputNames = new Map<string, string>();
    const optional = new Set(spec.optionalInputs ?? []);
    for (const [logical, real] of Object.entries(mod.inputs)) {
      if (!session.inputNames.includes(real)) {
        if (optional.has(logical)) continue; // e.g. an export without attention-mask inputs
        await session.release();
        throw modelUnavailable(
          `${path}: module "${role}" has no input "${real}" (mapped from "${logical}"); its inputs are ${session.inputNames.join(', ')}`,
          { reason: 'malformed' },
        );
      }
      inputNames.set(logical, real);
    }
    for (const [logical, real] of Object.entries(mod.outputs)) {
      if (!session.outputNames.includes(real)) {
        await session.release();
        throw modelUnavailable(
          `${path}: module "${role}" has no output "${real}" (mapped from "${logical}"); its outputs are ${session.outputNames.join(', ')}`,
          { reason: 'malformed' },
        );
      }
      outputNames.set(logical, real);
    }
    const unmapped = session.inputNames.filter((n) => ![...inputNames.values()].includes(n));
    if (unmapped.length > 0) {
      await session.release();
      throw modelUnavailable(
        `${path}: module "${role}" needs inputs the manifest does not map: ${unmapped.join(', ')}`,
        {
          reason: 'malformed',
        },
      );
    }
    return new OnnxModule(role, session, used, inputNames, outputNames, mod.options ?? {});
  }

  /** Whether the export has this (optional) logical input, e.g. `attentionMask1`. */
  hasInput(logical: string): boolean {
    return this.inputNames.has(logical);
  }

  /** The real name of a logical output (for `fetches` in benchmarks). */
  realOutput(logical: string): string {
    const real = this.outputNames.get(logical);
    if (real === undefined)
      throw new InferenceError('INTERNAL', `${this.role}: output "${logical}" is not mapped`);
    return real;
  }

  /** The real-name feeds for logical feeds (exposed so benchmarks can call the bare session). */
  realFeeds(feeds: Readonly<Record<string, ort.Tensor>>): Record<string, ort.Tensor> {
    const real: Record<string, ort.Tensor> = {};
    for (const key in feeds) {
      const name = this.inputNames.get(key);
      if (name !== undefined) real[name] = feeds[key] as ort.Tensor;
    }
    return real;
  }

  /**
   * Runs with logical feeds and fetches only `outputs` (others are not copied out of the runtime).
   * `shapes` gives the expected shape of each output (`-1` = any); a mismatch is an INTERNAL error
   * naming the module, the output and both shapes.
   */
  async run<K extends string>(
    feeds: Readonly<Record<string, ort.Tensor>>,
    outputs: readonly K[],
    shapes?: Partial<Record<K, ShapeSpec>>,
  ): Promise<Record<K, ort.Tensor>> {
    const fetches: string[] = [];
    for (const o of outputs) fetches.push(this.realOutput(o));
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.session.run(this.realFeeds(feeds), fetches);
    } catch (err) {
      throw new InferenceError('INTERNAL', `${this.role} failed: ${(err as Error).message}`);
    }
    const out = {} as Record<K, ort.Tensor>;
    for (let i = 0; i < outputs.length; i++) {
      const logical = outputs[i] as K;
      const t = result[fetches[i] as string];
      if (t === undefined) throw new InferenceError('INTERNAL', `${this.role} returned no "${fetches[i]}"`);
      const want = shapes?.[logical];
      if (want && !shapeMatches(t.dims, want)) {
        throw new InferenceError(
          'INTERNAL',
          `${this.role} returned "${fetches[i]}" of shape [${t.dims.join(',')}], expected [${want.map((d) => (d < 0 ? '?' : d)).join(',')}]: the model file does not follow the pack's contract`,
        );
      }
      out[logical] = t;
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function shapeMatches(dims: readonly number[], want: ShapeSpec): boolean {
  if (dims.length !== want.length) return false;
  for (let i = 0; i < dims.length; i++) {
    const w = want[i] as number;
    if (w >= 0 && dims[i] !== w) return false;
  }
  return true;
}

/** A float32 tensor over existing data (no copy). */
export function f32(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}
