/**
 * `sam2-image` packs (samexporter contract: encoder with no_mem_embed inside, decoder taking float
 * labels and a has-mask flag): image segmentation, and video by re-prompting each frame. The pack
 * is derived from test-tiny's ONNX files at test time (Debian's python3-onnx): the same working
 * graphs, rewired to the samexporter tensor names.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { DEFAULT_MODELS_DIR } from '../src/inference/packs.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const BUILD = `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, compose, TensorProto as T
src, dst = sys.argv[1], sys.argv[2]
no_mem = np.load(src + '/pretrained_weights.npz')['v2.1_hiera_t_no_mem_embed'].reshape(1, 256, 1, 1)

enc = onnx.load(src + '/image_encoder_hiera_t_2.1.onnx')
g = enc.graph
g.initializer.append(numpy_helper.from_array(no_mem.astype(np.float32), 'x_no_mem'))
g.node.extend([
    helper.make_node('Add', ['backbone_fpn_2', 'x_no_mem'], ['image_embed']),
    helper.make_node('Identity', ['backbone_fpn_0'], ['high_res_feats_0']),
    helper.make_node('Identity', ['backbone_fpn_1'], ['high_res_feats_1']),
])
del g.output[:]
g.output.extend([
    helper.make_tensor_value_info('high_res_feats_0', T.FLOAT, [1, 32, 256, 256]),
    helper.make_tensor_value_info('high_res_feats_1', T.FLOAT, [1, 64, 128, 128]),
    helper.make_tensor_value_info('image_embed', T.FLOAT, [1, 256, 64, 64]),
])
onnx.save(enc, dst + '/encoder.onnx')

pe = onnx.load(src + '/prompt_encoder_with_mask_hiera_t_2.1.onnx')
md = onnx.load(src + '/mask_decoder_hiera_t_2.1.onnx')
# Prefix each graph's names (add_prefix leaves inputs no node reads, which are dropped), then chain:
# samexporter inputs -> prompt encoder -> mask decoder -> candidates 1-3 (nodes in topological order).
pe, md = compose.add_prefix(pe, 'pe_'), compose.add_prefix(md, 'md_')
inputs = [
    helper.make_node('Identity', ['image_embed'], ['md_image_embeddings']),
    helper.make_node('Identity', ['high_res_feats_0'], ['md_high_res_features1']),
    helper.make_node('Identity', ['high_res_feats_1'], ['md_high_res_features2']),
    helper.make_node('Identity', ['point_coords'], ['pe_coords']),
    helper.make_node('Cast', ['point_labels'], ['pe_labels'], to=T.INT32),
    helper.make_node('Identity', ['mask_input'], ['pe_masks']),
    helper.make_node('Cast', ['has_mask_input'], ['pe_masks_enable'], to=T.INT32),
]
between = [
    helper.make_node('Identity', ['pe_sparse_embeddings'], ['md_sparse_prompt_embeddings']),
    helper.make_node('Identity', ['pe_dense_embeddings'], ['md_dense_prompt_embeddings']),
    helper.make_node('Identity', ['pe_dense_pe'], ['md_image_pe']),
]
outputs = [
    helper.make_node('Slice', ['md_masks', 'x_s1', 'x_s4', 'x_ax'], ['masks']),
    helper.make_node('Slice', ['md_iou_pred', 'x_s1', 'x_s4', 'x_ax'], ['iou_predictions']),
]
consts = [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in [('x_s1', [1]), ('x_s4', [4]), ('x_ax', [1])]]
g = helper.make_graph(inputs + list(pe.graph.node) + between + list(md.graph.node) + outputs, 'decoder',
    [
        helper.make_tensor_value_info('image_embed', T.FLOAT, [1, 256, 64, 64]),
        helper.make_tensor_value_info('high_res_feats_0', T.FLOAT, [1, 32, 256, 256]),
        helper.make_tensor_value_info('high_res_feats_1', T.FLOAT, [1, 64, 128, 128]),
        helper.make_tensor_value_info('point_coords', T.FLOAT, [1, 'n', 2]),
        helper.make_tensor_value_info('point_labels', T.FLOAT, [1, 'n']),
        helper.make_tensor_value_info('mask_input', T.FLOAT, [1, 1, 256, 256]),
        helper.make_tensor_value_info('has_mask_input', T.FLOAT, [1]),
    ],
    [
        helper.make_tensor_value_info('masks', T.FLOAT, [1, 3, 256, 256]),
        helper.make_tensor_value_info('iou_predictions', T.FLOAT, [1, 3]),
    ],
    list(pe.graph.initializer) + list(md.graph.initializer) + consts)
m = helper.make_model(g, opset_imports=pe.opset_import, ir_version=pe.ir_version)
onnx.save(m, dst + '/decoder.onnx')
`;

let dir: string;
let engine: OnnxEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roto-image-pack-'));
  execFileSync('/usr/bin/python3', ['-c', BUILD, join(DEFAULT_MODELS_DIR, 'test-tiny'), dir]);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      name: 'test-tiny-image',
      family: 'sam2.1',
      size: 'test',
      kind: 'sam2-image',
      format: 'samexporter',
      modules: {
        imageEncoder: {
          file: 'encoder.onnx',
          inputs: { image: 'input_image' },
          outputs: { highRes0: 'high_res_feats_0', highRes1: 'high_res_feats_1', imageEmbed: 'image_embed' },
        },
        maskDecoder: {
          file: 'decoder.onnx',
          inputs: {
            imageEmbed: 'image_embed',
            highRes0: 'high_res_feats_0',
            highRes1: 'high_res_feats_1',
            pointCoords: 'point_coords',
            pointLabels: 'point_labels',
            maskInput: 'mask_input',
            hasMaskInput: 'has_mask_input',
          },
          outputs: { masks: 'masks', iouPredictions: 'iou_predictions' },
        },
      },
    }),
  );
  engine = createOnnxEngine({ pack: dir });
  await engine.ready();
});

afterAll(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sam2-image packs', () => {
  it('load as an image pack', () => {
    expect(engine.info()).toMatchObject({ status: 'ready', kind: 'sam2-image' });
  });

  it('segment the clicked object', async () => {
    const scene = makeScene({ frames: 1 });
    const truth = sceneObject(scene, SCENE_IDS.disc).masks[0]!;
    const out = await engine.segmentImage(scene.frames[0]!, {
      points: [{ ...interiorPoint(truth, scene.width), label: 1 }],
    });
    expect(maskIoU(out.mask, truth)).toBeGreaterThan(0.95);
  });

  it('track a moving object in video by re-prompting each frame from the previous mask', async () => {
    const scene = makeScene({ frames: 16 });
    const truth = sceneObject(scene, SCENE_IDS.disc).masks;
    const state = engine.createVideoState({
      id: 'image-pack-video',
      frameCount: scene.frames.length,
      width: scene.width,
      height: scene.height,
      getFrame: async (i) => scene.frames[i]!,
    });
    await state.addPrompts(0, 1, { points: [{ ...interiorPoint(truth[0]!, scene.width), label: 1 }] });
    const ious: number[] = [];
    for (let t = 1; t < scene.frames.length; t++)
      ious.push(maskIoU((await state.track(t, 1, 'forward')).mask, truth[t]!));
    expect(Math.min(...ious)).toBeGreaterThan(0.9);
    expect(state.conditioningFrames(1)).toEqual([0]);
  });
});
