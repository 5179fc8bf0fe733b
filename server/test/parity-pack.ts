/**
 * The sam21-parity fixture (`../shared/fixtures/sam21-parity`) as a Roto model pack: a temp folder
 * with a manifest that maps the fixture's ailia-format files, and symlinks to them. Used by the
 * parity test and, while `models/test-tiny` is absent, by the inference benchmark.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Fixture root: `<repo>/../shared/fixtures/sam21-parity`. */
export const PARITY_DIR = resolve(fileURLToPath(import.meta.url), '../../../../shared/fixtures/sam21-parity');

/** Which files of the fixture to use: ailia's default names or the legacy ones. */
export type ParityVariant = 'default' | 'legacy';

/** Writes the pack folder and returns its path (usable as MODEL_PACK). */
export function writeParityPack(variant: ParityVariant = 'default'): string {
  const src = join(PARITY_DIR, 'pack');
  const fixture = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')) as {
    files: Record<string, { sha256: string; bytes: number }>;
  };
  const dir = mkdtempSync(join(tmpdir(), `roto-parity-${variant}-`));
  const file = (name: string) => {
    const meta = fixture.files[name];
    if (!meta) throw new Error(`fixture has no ${name}`);
    symlinkSync(join(src, name), join(dir, name));
    return { file: name, sha256: meta.sha256, bytes: meta.bytes };
  };
  const legacy = variant === 'legacy';
  const manifest = {
    name: `sam21-parity-${variant}`,
    title: 'SAM2.1 parity fixture (shrunk hiera-tiny, random weights)',
    family: 'sam2.1',
    size: 'test',
    kind: 'sam2-video',
    format: 'ailia',
    inputSize: 1024,
    modules: {
      imageEncoder: {
        ...file('image_encoder_hiera_t_2.1.onnx'),
        inputs: { image: 'input_image' },
        outputs: {
          visionFeatures: 'vision_features',
          visionPosEnc0: 'vision_pos_enc_0',
          visionPosEnc1: 'vision_pos_enc_1',
          visionPosEnc2: 'vision_pos_enc_2',
          backboneFpn0: 'backbone_fpn_0',
          backboneFpn1: 'backbone_fpn_1',
          backboneFpn2: 'backbone_fpn_2',
        },
      },
      promptEncoder: {
        ...file(legacy ? 'prompt_encoder_hiera_t_2.1.onnx' : 'prompt_encoder_with_mask_hiera_t_2.1.onnx'),
        inputs: { coords: 'coords', labels: 'labels', masks: 'masks', masksEnable: 'masks_enable' },
        outputs: {
          sparseEmbeddings: 'sparse_embeddings',
          denseEmbeddings: 'dense_embeddings',
          densePe: 'dense_pe',
        },
        options: { maskRank: legacy ? 3 : 4 },
      },
      maskDecoder: {
        ...file('mask_decoder_hiera_t_2.1.onnx'),
        inputs: {
          imageEmbeddings: 'image_embeddings',
          imagePe: 'image_pe',
          sparseEmbeddings: 'sparse_prompt_embeddings',
          denseEmbeddings: 'dense_prompt_embeddings',
          highRes1: 'high_res_features1',
          highRes2: 'high_res_features2',
        },
        outputs: {
          masks: 'masks',
          iouPred: 'iou_pred',
          tokens: 'sam_tokens_out',
          objectScore: 'object_score_logits',
        },
      },
      memoryAttention: {
        ...file(legacy ? 'memory_attention_hiera_t_2.1.onnx' : 'memory_attention_6d_hiera_t_2.1.onnx'),
        inputs: {
          curr: 'curr',
          memory1: 'memory_1',
          memory2: 'memory_2',
          currPos: 'curr_pos',
          memoryPos1: 'memory_pos_1',
          memoryPos2: 'memory_pos_2',
          attentionMask1: 'attention_mask_1',
          attentionMask2: 'attention_mask_2',
        },
        outputs: { pixFeat: 'pix_feat' },
      },
      memoryEncoder: {
        ...file('memory_encoder_hiera_t_2.1.onnx'),
        inputs: { pixFeat: 'pix_feat', masks: 'masks' },
        outputs: { features: 'vision_features', posEnc: 'vision_pos_enc' },
      },
      mlp: { ...file('mlp_hiera_t_2.1.onnx'), inputs: { x: 'x' }, outputs: { y: 'x_out' } },
      objPtrTposProj: {
        ...file('obj_ptr_tpos_proj_hiera_t_2.1.onnx'),
        inputs: { x: 'x' },
        outputs: { y: 'x_out' },
      },
    },
    constants: {
      ...file('pretrained_weights.npz'),
      keys: {
        maskmemTposEnc: 'v2.1_hiera_t_maskmem_tpos_enc',
        noMemEmbed: 'v2.1_hiera_t_no_mem_embed',
        noMemPosEnc: 'v2.1_hiera_t_no_mem_pos_enc',
        noObjPtr: 'v2.1_hiera_t_no_obj_ptr',
        noObjEmbedSpatial: 'v2.1_hiera_t_no_obj_embed_spatial',
      },
    },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return dir;
}
