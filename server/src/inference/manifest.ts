import { z } from 'zod';

/**
 * A model pack manifest (`models/<pack>/manifest.json` or `<folder>/manifest.json`).
 *
 * The manifest is the single place that knows file names, download sources, checksums and
 * tensor names. Another export of the same model is added by writing a manifest, not code:
 * the engine addresses every tensor by a *logical* name (see `LOGICAL_TENSORS`) and the
 * manifest maps it to the export's real name.
 */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');

/** One downloadable file of a pack. */
export const PackFileSchema = z.object({
  /** File name inside the pack folder. */
  file: z
    .string()
    .min(1)
    .regex(/^[^/\\]+$/, 'file must be a bare file name'),
  /** Where `models:fetch` downloads it from (absent for generated/local packs). */
  url: z.string().url().optional(),
  /** Pinned checksum; when absent, fetch prints the computed one so it can be pinned. */
  sha256: sha256.optional(),
  /** Expected size in bytes, checked after download when present. */
  bytes: z.number().int().positive().optional(),
  licence: z.string().optional(),
});
export type PackFile = z.infer<typeof PackFileSchema>;

/** One ONNX module: a file plus the mapping logical tensor name → real tensor name. */
export const PackModuleSchema = PackFileSchema.extend({
  inputs: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), z.string()),
  /** Free-form variant flags, e.g. `{ "maskRank": 4 }` for the prompt encoder. */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type PackModule = z.infer<typeof PackModuleSchema>;

/** Host-side constants that live outside the ONNX files (an `.npz`). */
export const PackConstantsSchema = PackFileSchema.extend({
  /** Logical constant name → key inside the npz (without `.npy`). */
  keys: z.object({
    maskmemTposEnc: z.string(),
    noMemEmbed: z.string(),
    noMemPosEnc: z.string(),
    noObjPtr: z.string(),
    noObjEmbedSpatial: z.string().optional(),
  }),
});
export type PackConstants = z.infer<typeof PackConstantsSchema>;

export const PACK_KINDS = ['sam2-video', 'sam2-image'] as const;
export type PackKind = (typeof PACK_KINDS)[number];

export const ManifestSchema = z.object({
  /** Pack name, the folder name under models/ and the MODEL_PACK value. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._+-]*$/),
  /** Human title shown in the UI and in `models:list`. */
  title: z.string().optional(),
  /** `sam2` or `sam2.1` (decides e.g. object-pointer time positions). */
  family: z.enum(['sam2', 'sam2.1']),
  /** tiny | small | base_plus | large | test … */
  size: z.string(),
  /**
   * `sam2-video`: the 7-module split (memory bank tracking).
   * `sam2-image`: encoder + decoder only (image sessions; video by re-prompting).
   */
  kind: z.enum(PACK_KINDS),
  /** Which export family the tensor contract follows (ailia, samexporter, …). */
  format: z.string(),
  /** Square model input side in pixels (1024 for every SAM2 export). */
  inputSize: z.number().int().positive().default(1024),
  licence: z.string().optional(),
  description: z.string().optional(),
  /** Module role → module. Which roles are required depends on `kind`. */
  modules: z.record(z.string(), PackModuleSchema),
  constants: PackConstantsSchema.optional(),
  /** Extra files to fetch that are not modules (licences, readmes). */
  extraFiles: z.array(PackFileSchema).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/**
 * Logical tensor names each role must map, per pack kind. The engine only ever uses these
 * names; `validateManifest` rejects a manifest that lacks one.
 */
export const LOGICAL_TENSORS: Record<
  PackKind,
  Record<
    string,
    { inputs: readonly string[]; outputs: readonly string[]; optionalInputs?: readonly string[] }
  >
> = {
  'sam2-video': {
    imageEncoder: {
      inputs: ['image'],
      outputs: [
        'visionFeatures',
        'visionPosEnc0',
        'visionPosEnc1',
        'visionPosEnc2',
        'backboneFpn0',
        'backboneFpn1',
        'backboneFpn2',
      ],
    },
    promptEncoder: {
      inputs: ['coords', 'labels', 'masks', 'masksEnable'],
      outputs: ['sparseEmbeddings', 'denseEmbeddings', 'densePe'],
    },
    maskDecoder: {
      inputs: ['imageEmbeddings', 'imagePe', 'sparseEmbeddings', 'denseEmbeddings', 'highRes1', 'highRes2'],
      outputs: ['masks', 'iouPred', 'tokens', 'objectScore'],
    },
    memoryAttention: {
      inputs: ['curr', 'memory1', 'memory2', 'currPos', 'memoryPos1', 'memoryPos2'],
      optionalInputs: ['attentionMask1', 'attentionMask2'],
      outputs: ['pixFeat'],
    },
    memoryEncoder: { inputs: ['pixFeat', 'masks'], outputs: ['features', 'posEnc'] },
    mlp: { inputs: ['x'], outputs: ['y'] },
    // objPtrTposProj is required for family sam2.1 only (checked in validateManifest).
    objPtrTposProj: { inputs: ['x'], outputs: ['y'] },
  },
  'sam2-image': {
    imageEncoder: { inputs: ['image'], outputs: ['highRes0', 'highRes1', 'imageEmbed'] },
    maskDecoder: {
      inputs: [
        'imageEmbed',
        'highRes0',
        'highRes1',
        'pointCoords',
        'pointLabels',
        'maskInput',
        'hasMaskInput',
      ],
      optionalInputs: ['origImSize'],
      outputs: ['masks', 'iouPredictions'],
    },
  },
};

/** A manifest problem, phrased for the user. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Parses and checks a manifest: schema, required roles and logical tensor names. */
export function validateManifest(raw: unknown, where = 'manifest.json'): Manifest {
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ManifestError(`${where} is malformed: ${issues.join('; ')}`, parsed.error.issues);
  }
  const m = parsed.data;
  const roles = LOGICAL_TENSORS[m.kind];
  for (const [role, spec] of Object.entries(roles)) {
    if (role === 'objPtrTposProj' && m.family !== 'sam2.1') continue;
    const mod = m.modules[role];
    if (!mod) throw new ManifestError(`${where}: pack kind ${m.kind} needs module "${role}"`);
    for (const t of spec.inputs) {
      if (!mod.inputs[t]) throw new ManifestError(`${where}: module "${role}" does not map input "${t}"`);
    }
    for (const t of spec.outputs) {
      if (!mod.outputs[t]) throw new ManifestError(`${where}: module "${role}" does not map output "${t}"`);
    }
  }
  if (m.kind === 'sam2-video' && !m.constants) {
    throw new ManifestError(
      `${where}: a sam2-video pack must list its host constants (maskmem_tpos_enc, no_mem_embed, no_mem_pos_enc, no_obj_ptr); random stand-ins are refused`,
    );
  }
  return Object.freeze(m);
}
