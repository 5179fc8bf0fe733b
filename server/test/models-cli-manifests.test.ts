import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGICAL_TENSORS, validateManifest } from '../src/inference/manifest.ts';
import { REPO_MODELS_DIR } from '../src/models-fetch/locate.ts';
import { packFiles } from '../src/models-fetch/pack-files.ts';

// The committed manifests of the real exports, checked against the facts of MODELS.md: file names,
// download URLs, npz keys and every logical tensor name.
const SIZES = [
  { folder: 'tiny', size: 'tiny', type: 'hiera_t', key: 'hiera_t' },
  { folder: 'small', size: 'small', type: 'hiera_s', key: 'hiera_s' },
  { folder: 'base-plus', size: 'base_plus', type: 'hiera_b+', key: 'hiera_bplus' },
  { folder: 'large', size: 'large', type: 'hiera_l', key: 'hiera_l' },
];
const AILIA_MODULES: Record<string, string> = {
  imageEncoder: 'image_encoder',
  promptEncoder: 'prompt_encoder_with_mask',
  maskDecoder: 'mask_decoder',
  memoryAttention: 'memory_attention_6d',
  memoryEncoder: 'memory_encoder',
  mlp: 'mlp',
  objPtrTposProj: 'obj_ptr_tpos_proj',
};
const NPZ_URL =
  'https://raw.githubusercontent.com/axinc-ai/ailia-models/master/image_segmentation/segment-anything-2/pretrained_weights.npz';

const load = (pack: string) => {
  const path = join(REPO_MODELS_DIR, pack, 'manifest.json');
  return validateManifest(JSON.parse(readFileSync(path, 'utf8')), path);
};

describe('real pack manifests', () => {
  for (const family of ['sam2', 'sam2.1'] as const) {
    for (const s of SIZES) {
      const pack = `${family}-hiera-${s.folder}`;
      it(`${pack}: ailia split files, URLs, constants and tensor names`, () => {
        const m = load(pack);
        expect(m).toMatchObject({ name: pack, family, size: s.size, kind: 'sam2-video', inputSize: 1024 });
        const v21 = family === 'sam2.1';
        const remote = `https://storage.googleapis.com/ailia-models/segment-anything-2${v21 ? '.1' : ''}/`;
        const roles = Object.keys(AILIA_MODULES).filter((r) => v21 || r !== 'objPtrTposProj');
        expect(Object.keys(m.modules).sort()).toEqual(roles.sort());
        for (const role of roles) {
          const mod = m.modules[role]!;
          const file = `${AILIA_MODULES[role]}_${s.type}${v21 ? '_2.1' : ''}.onnx`;
          expect(mod.file).toBe(file);
          expect(mod.url).toBe(remote + file.replace('+', '%2B'));
          expect(mod.licence).toMatch(/^Apache-2\.0/);
          const spec = LOGICAL_TENSORS['sam2-video'][role]!;
          for (const t of [...spec.inputs, ...(spec.optionalInputs ?? [])])
            expect(mod.inputs[t], `${role}.${t}`).toBeTruthy();
          for (const t of spec.outputs) expect(mod.outputs[t], `${role}.${t}`).toBeTruthy();
        }
        expect(m.modules.promptEncoder?.options).toEqual({ maskRank: 4 });
        expect(m.modules.maskDecoder?.inputs.sparseEmbeddings).toBe('sparse_prompt_embeddings');
        expect(m.modules.memoryAttention?.inputs.attentionMask1).toBe('attention_mask_1');
        const k = `v${v21 ? '2.1' : '2'}_${s.key}_`;
        expect(m.constants).toMatchObject({
          file: 'pretrained_weights.npz',
          url: NPZ_URL,
          keys: {
            maskmemTposEnc: `${k}maskmem_tpos_enc`,
            noMemEmbed: `${k}no_mem_embed`,
            noMemPosEnc: `${k}no_mem_pos_enc`,
            noObjPtr: `${k}no_obj_ptr`,
          },
        });
        expect(m.constants?.licence).toMatch(/^MIT/);
        // Unknown checksums stay unpinned rather than guessed.
        for (const f of packFiles(m)) expect(f.sha256).toBeUndefined();
      });
    }
  }

  for (const s of SIZES) {
    const pack = `sam2.1-image-${s.folder}`;
    it(`${pack}: samexporter encoder + decoder from the published zip`, () => {
      const m = load(pack);
      expect(m).toMatchObject({
        name: pack,
        family: 'sam2.1',
        size: s.size,
        kind: 'sam2-image',
        format: 'samexporter',
      });
      const stem = `sam2.1_hiera_${s.size}`;
      expect(m.modules.imageEncoder?.file).toBe(`${stem}.encoder.onnx`);
      expect(m.modules.maskDecoder?.file).toBe(`${stem}.decoder.onnx`);
      expect(m.modules.maskDecoder?.inputs.pointLabels).toBe('point_labels');
      expect(m.extraFiles?.[0]?.url).toBe(
        `https://huggingface.co/vietanhdev/segment-anything-2.1-onnx-models/resolve/main/${stem}_20260221.zip`,
      );
    });
  }

  it('every manifest under models/ is valid and named after its folder', () => {
    const packs = readdirSync(REPO_MODELS_DIR, { withFileTypes: true }).filter(
      (d) => d.isDirectory() && readdirSync(join(REPO_MODELS_DIR, d.name)).includes('manifest.json'),
    );
    expect(packs.length).toBeGreaterThanOrEqual(12);
    for (const d of packs) expect(load(d.name).name).toBe(d.name);
  });
});
