#!/usr/bin/python3
"""Generates models/test-tiny: a small ONNX pack with the exact tensor contract of ailia's SAM2.1
hiera-tiny video export (7 modules + host constants) whose modules really segment and track.

Run with Debian's python (numpy 1.24, onnx 1.12):  /usr/bin/python3 models/generator/make_test_pack.py
Deterministic: two runs write byte-identical files. See README.md next to this file for what each
module computes; the channel layout constants below are the contract between the modules.
"""

import hashlib
import io
import json
import os
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, '..', 'test-tiny'))
LICENCE = 'Apache-2.0'
F32, I32, BOOL = TensorProto.FLOAT, TensorProto.INT32, TensorProto.BOOL

# --- Channel layout shared by the modules -------------------------------------------------------
# 256-channel embeddings (backbone_fpn_2, image_embeddings, pix_feat):
CH_RGB = 0  # 0..2: normalised RGB of the image (all three fpn levels carry it in channels 0..2)
CH_NO_MEM = 8  # set to 1 by the host adding no_mem_embed: "this frame has no memory"
CH_MEM_VALID = 9  # set to 1 by memory attention
CH_OBJ_RGB = 10  # 10..12: the tracked object's colour (memory attention, from the object pointers)
CH_PRIOR = 13  # where the object should be (dilated mask of the latest frame it was seen on)
# 64-channel memory features / positions:
MEM_CH_MASK = 0  # mask probability pooled to 64x64
MEM_CH_MASK_RGB = 1  # 1..3: mask x colour
MEM_CH_WEIGHT = 62  # recency weight, carried by maskmem_tpos_enc (memory pos-enc is 0 there)
MEM_CH_COND = 63  # 1 for conditioning frames, carried by maskmem_tpos_enc
# 256-d object pointer (sam_tokens_out, mlp output, no_obj_ptr); token 0 of 4 when split in 64s:
PTR_CH_RGB = 0  # 0..2 object colour
PTR_CH_PRESENT = 3  # 1 = object present on that frame; 0 in no_obj_ptr
PTR_CH_ABSENT = 4  # 1 only in no_obj_ptr
# Sparse prompt embedding per point: x/1024, y/1024, then one-hot label flags.
PT_LABELS = [1, 0, -1, 2, 3]  # positive, negative, pad, box top-left, box bottom-right

# --- Segmentation tuning (256x256 decoder grid, normalised coordinates in [0, 1]) --------------
COLOUR_RADIUS = 1.1  # normalised-RGB distance at which a pixel stops matching a sampled colour
COLOUR_GAIN = 20.0  # logit per unit of (radius - distance)
SPATIAL_GAIN = 4.0  # logit lost per unit of squared distance to the point (weak locality)
NEG_SHARPNESS = 20.0  # scales S_pos - S_neg so the negative split has a steep edge
PRIOR_GAIN = 40.0  # logit per unit of (prior - 0.5)
SAMPLE_SIGMA0 = 0.75 / 256  # nearest-pixel colour estimate
SAMPLE_SIGMA1 = 2.5 / 256  # Gaussian neighbourhood of the colour sample
SAMPLE_COLOUR_SCALE = 0.1  # bilateral term: neighbours of another colour do not count
GROW_STEPS = 32  # region growing reaches 64 cells of 128 (half the frame) from a click
GROW_OUTSIDE = 8.0  # logit ceiling for matching pixels not connected to a positive point
MIN_PIXELS = 20.0  # 256x256 pixels that must match on a tracked frame for "object present"
LOGIT_CLAMP = 32.0
RECENCY = 0.3  # weight ratio between successive memory frames (most recent = 1)
COND_WEIGHT = 0.001  # conditioning frames: prior only when no tracked frame saw the object


class Graph:
    """A tiny ONNX graph builder: deterministic node and initializer names."""

    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.inits = []
        self.count = 0

    def fresh(self, prefix):
        self.count += 1
        return f'{prefix}_{self.count}'

    def const(self, value, dtype=np.float32):
        name = self.fresh('const')
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def i64(self, value):
        return self.const(value, np.int64)

    def op(self, op_type, inputs, out=None, **attrs):
        outs = [out] if isinstance(out, str) else out or [self.fresh(op_type.lower())]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.fresh(op_type), **attrs))
        return outs[0] if len(outs) == 1 else outs

    # Small conveniences for recurring patterns.
    def slice(self, x, axis, start, end):
        return self.op('Slice', [x, self.i64([start]), self.i64([end]), self.i64([axis])])

    def reshape(self, x, shape):
        return self.op('Reshape', [x, self.i64(shape)])

    def pad_channels(self, x, axis, rank, total, have, out=None):
        pads = [0] * (2 * rank)
        pads[rank + axis] = total - have
        return self.op('Pad', [x, self.i64(pads)], out, mode='constant')

    def scalar(self, v):
        return self.const(np.float32(v))

    def model(self, inputs, outputs, doc):
        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, self.inits)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid('', OPSET)],
            producer_name='roto-test-pack',
            producer_version='1',
            doc_string=doc,
        )
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def grid_channels(g, res, channels, out):
    """[1, channels, res, res]: x and y of each cell centre in [0, 1] (channels 0, 1), zeros elsewhere."""
    r = g.op('Range', [g.i64(0), g.i64(res), g.i64(1)])
    r = g.op('Mul', [g.op('Add', [g.op('Cast', [r], to=F32), g.scalar(0.5)]), g.scalar(1.0 / res)])
    full = g.i64([1, 1, res, res])
    xs = g.op('Expand', [g.reshape(r, [1, 1, 1, res]), full])
    ys = g.op('Expand', [g.reshape(r, [1, 1, res, 1]), full])
    return g.pad_channels(g.op('Concat', [xs, ys], axis=1), 1, 4, channels, 2, out)


# --- image_encoder -----------------------------------------------------------------------------
def image_encoder():
    g = Graph('image_encoder')
    c256 = g.op('AveragePool', ['input_image'], kernel_shape=[4, 4], strides=[4, 4])
    c128 = g.op('AveragePool', [c256], kernel_shape=[2, 2], strides=[2, 2])
    c64 = g.op('AveragePool', [c128], kernel_shape=[2, 2], strides=[2, 2])
    g.pad_channels(c256, 1, 4, 32, 3, 'backbone_fpn_0')
    g.pad_channels(c128, 1, 4, 64, 3, 'backbone_fpn_1')
    fpn2 = g.pad_channels(c64, 1, 4, 256, 3, 'backbone_fpn_2')
    g.op('Identity', [fpn2], 'vision_features')
    grid_channels(g, 256, 256, 'vision_pos_enc_0')
    grid_channels(g, 128, 256, 'vision_pos_enc_1')
    grid_channels(g, 64, 256, 'vision_pos_enc_2')
    vf = ['Addvision_features_dim_0', 256, 'Addvision_features_dim_2', 'Addvision_features_dim_3']
    pe = lambda i: [f'Castvision_pos_enc_{i}_dim_{d}' for d in range(4)]  # noqa: E731
    return g.model(
        [vi('input_image', F32, [1, 3, 1024, 1024])],
        [
            vi('vision_features', F32, vf),
            vi('vision_pos_enc_0', F32, pe(0)),
            vi('vision_pos_enc_1', F32, pe(1)),
            vi('vision_pos_enc_2', F32, pe(2)),
            vi('backbone_fpn_0', F32, ['Convbackbone_fpn_0_dim_0', 32, 'Convbackbone_fpn_0_dim_2', 'Convbackbone_fpn_0_dim_3']),
            vi('backbone_fpn_1', F32, ['Convbackbone_fpn_1_dim_0', 64, 'Convbackbone_fpn_0_dim_2', 'Convbackbone_fpn_0_dim_3']),
            vi('backbone_fpn_2', F32, vf),
        ],
        'Local colour pyramid: normalised RGB average-pooled to 256/128/64 in channels 0..2; '
        'positional encodings are x/y grids in channels 0..1.',
    )


# --- prompt_encoder_with_mask ------------------------------------------------------------------
def prompt_encoder():
    g = Graph('prompt_encoder')
    b = g.slice(g.op('Shape', ['coords']), 0, 0, 1)
    pad_xy = g.op('Expand', [g.const(np.zeros((1, 1, 2))), g.op('Concat', [b, g.i64([1, 2])], axis=0)])
    pad_label = g.op('Expand', [g.const([[-1]], np.int32), g.op('Concat', [b, g.i64([1])], axis=0)])
    xy = g.op('Mul', [g.op('Concat', ['coords', pad_xy], axis=1), g.scalar(1.0 / 1024)])
    labels = g.op('Unsqueeze', [g.op('Concat', ['labels', pad_label], axis=1), g.i64([2])])
    flags = g.op('Cast', [g.op('Equal', [labels, g.const(PT_LABELS, np.int32)])], to=F32)
    g.pad_channels(g.op('Concat', [xy, flags], axis=2), 2, 3, 256, 7, 'sparse_embeddings')

    enable = g.op('Cast', ['masks_enable'], to=F32)
    pooled = g.op('AveragePool', [g.op('ReduceMean', ['masks'], axes=[1], keepdims=1)], kernel_shape=[4, 4], strides=[4, 4])
    mask_ch = g.op('Mul', [pooled, enable])
    enable_ch = g.op('Expand', [g.reshape(enable, [1, 1, 1, 1]), g.op('Shape', [mask_ch])])
    g.pad_channels(g.op('Concat', [mask_ch, enable_ch], axis=1), 1, 4, 256, 2, 'dense_embeddings')
    grid_channels(g, 64, 256, 'dense_pe')
    return g.model(
        [
            vi('coords', F32, ['b', 'n', 2]),
            vi('labels', I32, ['b', 'n']),
            vi('masks', F32, ['b', 'c', 'h', 'w']),
            vi('masks_enable', I32, [1]),
        ],
        [
            vi('sparse_embeddings', F32, ['Concatsparse_embeddings_dim_0', 'Concatsparse_embeddings_dim_1', 256]),
            vi('dense_embeddings', F32, ['Wheredense_embeddings_dim_0', 256, 'Wheredense_embeddings_dim_2', 'Wheredense_embeddings_dim_3']),
            vi('dense_pe', F32, [1, 256, 64, 64]),
        ],
        'Per point: x/1024, y/1024 and one-hot label flags (pos, neg, pad, box-tl, box-br); a pad '
        'point is appended. Dense: mask input pooled to 64x64 x masks_enable, and the enable flag.',
    )


# --- mask_decoder ------------------------------------------------------------------------------
def colour_dist2(g, cols, pix, pix2):
    """Squared distance [P, 65536] between colours [P, 3] and pixels pix [3, 65536] (pix2 = |pix|^2)."""
    cross = g.op('MatMul', [cols, pix])
    c2 = g.op('ReduceSum', [g.op('Mul', [cols, cols]), g.i64([1])], keepdims=1)
    d = g.op('Add', [g.op('Sub', [pix2, g.op('Mul', [cross, g.scalar(2.0)])]), c2])
    return g.op('Relu', [d])


def weighted_colour(g, w, pix_t):
    """Colour [P, 3] = (w @ pix) / sum(w) for weights [P, 65536]."""
    total = g.op('Add', [g.op('ReduceSum', [w, g.i64([1])], keepdims=1), g.scalar(1e-12)])
    return g.op('Div', [g.op('MatMul', [w, pix_t]), total])


def colour_and_prior(g, rgb, prior, pix, pix2):
    """Logits [1, 65536] for "has this colour [1, 3] and lies where the prior [1, 65536] is > 0.5"."""
    colour = g.op('Mul', [g.op('Sub', [g.scalar(COLOUR_RADIUS), g.op('Sqrt', [colour_dist2(g, rgb, pix, pix2)])]), g.scalar(COLOUR_GAIN)])
    return g.op('Min', [colour, g.op('Mul', [g.op('Sub', [prior, g.scalar(0.5)]), g.scalar(PRIOR_GAIN)])])


def connected_to_points(g, s_pos, d2, qpos):
    """Keeps the matching pixels [1, 65536] that are connected to a positive point (region growing
    at 128x128 by repeated 5x5 max-pooling inside the match); disconnected look-alikes drop to
    at most -GROW_OUTSIDE."""
    match = g.reshape(g.op('Cast', [g.op('Greater', [s_pos, g.scalar(0.0)])], to=F32), [1, 1, 256, 256])
    match = g.op('MaxPool', [match], kernel_shape=[2, 2], strides=[2, 2])
    near = g.op('Cast', [g.op('Less', [d2, g.scalar((1.0 / 256) ** 2)])], to=F32)
    seed = g.op('ReduceMax', [g.op('Mul', [near, qpos])], axes=[0], keepdims=1)
    seed = g.op('MaxPool', [g.reshape(seed, [1, 1, 256, 256])], kernel_shape=[2, 2], strides=[2, 2])
    region = g.op('Mul', [g.op('MaxPool', [seed], kernel_shape=[3, 3], pads=[1, 1, 1, 1]), match])
    for _ in range(GROW_STEPS):
        region = g.op('Mul', [g.op('MaxPool', [region], kernel_shape=[5, 5], pads=[2, 2, 2, 2]), match])
    region = g.op('Resize', [region, '', g.const([1.0, 1.0, 2.0, 2.0])], mode='nearest')
    inside = g.op('Greater', [g.reshape(region, [1, 256 * 256]), g.scalar(0.5)])
    return g.op('Where', [inside, s_pos, g.op('Min', [s_pos, g.scalar(-GROW_OUTSIDE)])])


def mask_decoder():
    g = Graph('mask_decoder')
    hw = 256 * 256
    pix = g.reshape(g.slice('high_res_features1', 1, 0, 3), [3, hw])
    pix_t = g.op('Transpose', [pix], perm=[1, 0])
    pix2 = g.op('ReduceSum', [g.op('Mul', [pix, pix]), g.i64([0])], keepdims=1)
    r = g.op('Range', [g.i64(0), g.i64(256), g.i64(1)])
    r = g.op('Mul', [g.op('Add', [g.op('Cast', [r], to=F32), g.scalar(0.5)]), g.scalar(1.0 / 256)])
    sq = g.i64([256, 256])
    gx = g.reshape(g.op('Expand', [g.reshape(r, [1, 256]), sq]), [1, hw])
    gy = g.reshape(g.op('Expand', [g.reshape(r, [256, 1]), sq]), [1, hw])

    pts = g.reshape(g.slice('sparse_prompt_embeddings', 2, 0, 7), [-1, 7])
    px, py, pos, neg, _pad, tl, br = (g.slice(pts, 1, i, i + 1) for i in range(7))
    # The box (labels 2, 3) acts as a positive point at its centre plus a gate outside it.
    colsum = lambda x: g.op('ReduceSum', [x, g.i64([0])], keepdims=1)  # noqa: E731
    has_box = g.op('Clip', [colsum(tl), g.scalar(0.0), g.scalar(1.0)])
    x0, y0 = colsum(g.op('Mul', [tl, px])), colsum(g.op('Mul', [tl, py]))
    x1, y1 = colsum(g.op('Mul', [br, px])), colsum(g.op('Mul', [br, py]))
    cx = g.op('Mul', [g.op('Add', [x0, x1]), g.scalar(0.5)])
    cy = g.op('Mul', [g.op('Add', [y0, y1]), g.scalar(0.5)])
    qx = g.op('Concat', [px, cx], axis=0)
    qy = g.op('Concat', [py, cy], axis=0)
    qpos = g.op('Concat', [pos, has_box], axis=0)
    qneg = g.op('Concat', [neg, g.const([[0.0]])], axis=0)

    dx, dy = g.op('Sub', [gx, qx]), g.op('Sub', [gy, qy])
    d2 = g.op('Add', [g.op('Mul', [dx, dx]), g.op('Mul', [dy, dy])])
    # Colour under each point: nearest-pixel estimate, then a bilateral Gaussian average around it
    # (neighbours of a different colour are ignored, so a click near an edge samples one side).
    w0 = g.op('Exp', [g.op('Mul', [d2, g.scalar(-0.5 / SAMPLE_SIGMA0**2)])])
    c0 = weighted_colour(g, w0, pix_t)
    spatial = g.op('Mul', [d2, g.scalar(-0.5 / SAMPLE_SIGMA1**2)])
    chroma = g.op('Mul', [colour_dist2(g, c0, pix, pix2), g.scalar(-1.0 / SAMPLE_COLOUR_SCALE)])
    cq = weighted_colour(g, g.op('Exp', [g.op('Add', [spatial, chroma])]), pix_t)

    score = g.op(
        'Sub',
        [
            g.op('Mul', [g.op('Sub', [g.scalar(COLOUR_RADIUS), g.op('Sqrt', [colour_dist2(g, cq, pix, pix2)])]), g.scalar(COLOUR_GAIN)]),
            g.op('Mul', [d2, g.scalar(SPATIAL_GAIN)]),
        ],
    )
    only = lambda flag: g.op('Mul', [g.op('Sub', [flag, g.scalar(1.0)]), g.scalar(1e4)])  # noqa: E731
    s_pos = g.op('ReduceMax', [g.op('Add', [score, only(qpos)])], axes=[0], keepdims=1)
    s_neg = g.op('ReduceMax', [g.op('Add', [score, only(qneg)])], axes=[0], keepdims=1)
    outside = g.op(
        'Sum',
        [g.op('Relu', [g.op('Sub', [x0, gx])]), g.op('Relu', [g.op('Sub', [gx, x1])]),
         g.op('Relu', [g.op('Sub', [y0, gy])]), g.op('Relu', [g.op('Sub', [gy, y1])])],
    )
    s_pos = g.op('Sub', [s_pos, g.op('Mul', [g.op('Mul', [outside, has_box]), g.scalar(2000.0)])])
    s_pos = connected_to_points(g, s_pos, d2, qpos)
    n_pos = colsum(qpos)
    has_pos = g.op('Greater', [n_pos, g.scalar(0.5)])

    # Tracked frame: the memory channels written by memory attention.
    emb = 'image_embeddings'
    chan_mean = lambda x, c0_, c1_: g.op('ReduceMean', [g.slice(x, 1, c0_, c1_)], axes=[2, 3], keepdims=0)  # noqa: E731
    mem_flag = g.op('Sub', [chan_mean(emb, CH_MEM_VALID, CH_MEM_VALID + 1), chan_mean(emb, CH_NO_MEM, CH_NO_MEM + 1)])
    mem_valid = g.op('Greater', [mem_flag, g.scalar(0.5)])
    obj_rgb = chan_mean(emb, CH_OBJ_RGB, CH_OBJ_RGB + 3)  # [1, 3]
    prior = g.op('Resize', [g.slice(emb, 1, CH_PRIOR, CH_PRIOR + 1), '', g.const([1.0, 1.0, 4.0, 4.0])], mode='linear')
    prior = g.reshape(prior, [1, hw])
    memory_base = colour_and_prior(g, obj_rgb, prior, pix, pix2)
    # No positive point but a mask input (a refinement with negative clicks only): the previous
    # mask, slightly dilated, plays the prior and its mean colour the object colour.
    dense = 'dense_prompt_embeddings'
    mask_on = g.op('Greater', [chan_mean(dense, 1, 2), g.scalar(0.5)])
    prev_logits = g.slice(dense, 1, 0, 1)
    up4 = lambda x: g.reshape(g.op('Resize', [x, '', g.const([1.0, 1.0, 4.0, 4.0])], mode='linear'), [1, hw])  # noqa: E731
    prev = up4(g.op('MaxPool', [g.op('Sigmoid', [prev_logits])], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    # Colour from the confident core only (pooled logit > 16, i.e. cells ~90% inside the mask).
    prev_rgb = weighted_colour(g, g.op('Relu', [g.op('Sub', [up4(prev_logits), g.scalar(16.0)])]), pix_t)
    input_base = colour_and_prior(g, prev_rgb, prev, pix, pix2)
    base = g.op('Where', [has_pos, s_pos, g.op('Where', [mask_on, input_base, memory_base])])
    # A negative point removes what looks more like it than like the positive evidence.
    logit = g.op('Min', [base, g.op('Mul', [g.op('Sub', [base, s_neg]), g.scalar(NEG_SHARPNESS)])])
    logit = g.op('Clip', [logit, g.scalar(-LOGIT_CLAMP), g.scalar(LOGIT_CLAMP)])

    count = g.op('ReduceSum', [g.op('Cast', [g.op('Greater', [logit, g.scalar(0.0)])], to=F32), g.i64([1])], keepdims=1)
    tracked = g.op('Clip', [g.op('Mul', [g.op('Sub', [count, g.scalar(MIN_PIXELS)]), g.scalar(0.5)]), g.scalar(-20.0), g.scalar(20.0)])
    tracked = g.op('Where', [g.op('Or', [mem_valid, mask_on]), tracked, g.scalar(-20.0)])
    obj_score = g.op('Where', [has_pos, g.const([[10.0]]), tracked], 'object_score_logits')
    # An absent object gets an empty mask from the decoder itself, whatever the host does.
    logit = g.op('Where', [g.op('Greater', [obj_score, g.scalar(0.0)]), logit, g.scalar(-LOGIT_CLAMP)])
    main = g.reshape(logit, [1, 1, 256, 256])
    shrunk = g.op('Sub', [main, g.scalar(4.0)])
    grown = g.op('Add', [main, g.scalar(4.0)])
    cands = g.op('Concat', [main, main, shrunk, grown], axis=1)
    g.op('Clip', [cands, g.scalar(-LOGIT_CLAMP), g.scalar(LOGIT_CLAMP)], 'masks')
    g.op('Mul', [g.const([[0.9, 0.95, 0.6, 0.5]]), g.op('Sigmoid', [obj_score])], 'iou_pred')

    pos_rgb = g.op('Div', [colsum(g.op('Mul', [cq, qpos])), g.op('Max', [n_pos, g.scalar(1.0)])])
    token_rgb = g.op('Where', [has_pos, pos_rgb, g.op('Where', [mask_on, prev_rgb, obj_rgb])])
    token = g.op('Concat', [token_rgb, g.const([[1.0]])], axis=1)
    token = g.pad_channels(g.reshape(token, [1, 1, 4]), 2, 3, 256, 4)
    g.op('Tile', [token, g.i64([1, 4, 1])], 'sam_tokens_out')
    return g.model(
        [
            vi('image_embeddings', F32, [1, 256, 64, 64]),
            vi('image_pe', F32, [1, 256, 64, 64]),
            vi('sparse_prompt_embeddings', F32, [1, 'n', 256]),
            vi('dense_prompt_embeddings', F32, [1, 256, 64, 64]),
            vi('high_res_features1', F32, [1, 32, 256, 256]),
            vi('high_res_features2', F32, [1, 64, 128, 128]),
        ],
        [
            vi('masks', F32, [f'Reshapemasks_dim_{d}' for d in range(4)]),
            vi('iou_pred', F32, ['Sigmoidiou_pred_dim_0', 4]),
            vi('sam_tokens_out', F32, ['Slicesam_tokens_out_dim_0', 'Slicesam_tokens_out_dim_1', 256]),
            vi('object_score_logits', F32, ['Gemmobject_score_logits_dim_0', 1]),
        ],
        'Colour-similarity segmentation at 256x256 around positive points (negative points carve '
        'out what resembles them); without prompts, the memory channels (object colour, spatial prior).',
    )


# --- memory_attention_6d -----------------------------------------------------------------------
def memory_attention():
    g = Graph('memory_attention')
    tok = 4096
    # The batch axis b (objects) rides along as the channel axis of the 2-D pooling below.
    b = g.slice(g.op('Shape', ['curr']), 0, 1, 2)
    dims = lambda before, after: g.op('Concat', [g.i64(before), b, g.i64(after)], axis=0)  # noqa: E731
    unsq = lambda x, ax: g.op('Unsqueeze', [x, g.i64([ax])])  # noqa: E731
    mem = g.op('Reshape', ['memory_1', dims([-1, tok], [64])])  # [k, 4096, b, 64], one row per memory frame
    pos = g.op('ReduceMean', [g.op('Reshape', ['memory_pos_1', dims([-1, tok], [64])])], axes=[1], keepdims=0)  # [k, b, 64]
    mask1 = g.op('Reshape', [g.op('Cast', ['attention_mask_1'], to=F32), dims([-1, tok], [])])
    valid = unsq(g.op('ReduceMin', [mask1], axes=[1], keepdims=0), 2)  # [k, b, 1]
    weight = g.slice(pos, 2, MEM_CH_WEIGHT, MEM_CH_WEIGHT + 1)  # [k, b, 1]
    cond = g.slice(pos, 2, MEM_CH_COND, MEM_CH_COND + 1)
    mask = g.op('Transpose', [g.op('Squeeze', [g.slice(mem, 3, MEM_CH_MASK, MEM_CH_MASK + 1), g.i64([3])])], perm=[0, 2, 1])
    mask = g.reshape(mask, [0, 0, 64, 64])  # [k, b, 64, 64]
    mass = unsq(g.op('ReduceSum', [mask, g.i64([2, 3])], keepdims=0), 2)
    # At least half a cell of mask: an empty mask (logits -10 into the encoder) pools to ~0.2.
    seen = g.op('Mul', [g.op('Clip', [g.op('Sub', [mass, g.scalar(0.5)]), g.scalar(0.0), g.scalar(1.0)]), valid])
    eff = g.op('Mul', [weight, seen])  # [k, b, 1]
    # Prior: dilated, softened mask of the most heavily weighted frame that saw the object.
    grown = g.op('MaxPool', [mask], kernel_shape=[7, 7], pads=[3, 3, 3, 3], strides=[1, 1])
    soft = g.op('AveragePool', [grown], kernel_shape=[5, 5], pads=[2, 2, 2, 2], strides=[1, 1], count_include_pad=0)
    top = g.op('ReduceMax', [g.op('Mul', [soft, unsq(eff, 3)])], axes=[0], keepdims=1)  # [1, b, 64, 64]
    best = g.op('Add', [unsq(g.op('ReduceMax', [eff], axes=[0], keepdims=1), 3), g.scalar(1e-6)])
    prior = g.op('Div', [top, best])
    # Lost: recent frames exist and none saw the object -> search the whole frame by colour.
    recent = g.op('Mul', [g.op('Sub', [g.scalar(1.0), cond]), valid])
    any_recent = g.op('Min', [g.op('ReduceSum', [recent, g.i64([0])], keepdims=1), g.scalar(1.0)])
    seen_recent = g.op('ReduceSum', [g.op('Mul', [recent, seen]), g.i64([0])], keepdims=1)
    lost = g.op('Mul', [any_recent, g.op('Sub', [g.scalar(1.0), g.op('Min', [seen_recent, g.scalar(1.0)])])])
    prior = g.op('Max', [prior, unsq(lost, 3)])  # [1, b, 64, 64]

    # Object colour: mean over the pointers of frames where the object was present.
    ptr = g.op('Squeeze', [g.slice(g.op('Reshape', ['memory_2', dims([-1, 4], [64])]), 1, 0, 1), g.i64([1])])  # [P, b, 64]
    mask2 = g.op('Reshape', [g.op('Cast', ['attention_mask_2'], to=F32), dims([-1, 4], [])])
    ptr_valid = unsq(g.op('ReduceMin', [mask2], axes=[1], keepdims=0), 2)  # [P, b, 1]
    present = g.op('Mul', [g.slice(ptr, 2, PTR_CH_PRESENT, PTR_CH_PRESENT + 1), ptr_valid])
    rgb_sum = g.op('ReduceSum', [g.op('Mul', [g.slice(ptr, 2, PTR_CH_RGB, PTR_CH_RGB + 3), present]), g.i64([0])], keepdims=1)
    rgb = g.op('Div', [rgb_sum, g.op('Add', [g.op('ReduceSum', [present, g.i64([0])], keepdims=1), g.scalar(1e-6)])])

    own = g.slice('curr', 2, 0, CH_NO_MEM)  # the current frame's colour channels (and spare zeros)
    flags = g.op('Expand', [g.const([[[0.0, 1.0]]]), dims([tok], [2])])  # no-mem 0, mem-valid 1
    rgb_plane = g.op('Expand', [rgb, g.i64([tok, 1, 1])])
    prior_plane = g.op('Transpose', [g.reshape(prior, [0, 0, tok])], perm=[2, 1, 0])  # [4096, b, 1]
    feats = g.op('Concat', [own, flags, rgb_plane, prior_plane], axis=2)
    g.pad_channels(feats, 2, 3, 256, CH_PRIOR + 1, 'pix_feat')
    return g.model(
        [
            vi('curr', F32, [4096, 'b', 256]),
            vi('memory_1', F32, ['n_1', 'b', 64]),
            vi('memory_2', F32, ['n_2', 'b', 64]),
            vi('curr_pos', F32, [4096, 'b', 256]),
            vi('memory_pos_1', F32, ['n_1', 'b', 64]),
            vi('memory_pos_2', F32, ['n_2', 'b', 64]),
            vi('attention_mask_1', BOOL, ['n_1', 'b']),
            vi('attention_mask_2', BOOL, ['n_2', 'b']),
        ],
        [vi('pix_feat', F32, ['Transposepix_feat_dim_0', 'b', 256])],
        'Writes the object colour (from pointers) and a spatial prior (from recency-weighted memory '
        'masks, whole frame when the object was lost) into channels of the current features.',
    )


# --- memory_encoder ----------------------------------------------------------------------------
def memory_encoder():
    g = Graph('memory_encoder')
    prob = g.op('AveragePool', [g.op('Sigmoid', ['masks'])], kernel_shape=[16, 16], strides=[16, 16])
    rgb = g.op('Mul', [prob, g.slice('pix_feat', 1, 0, 3)])
    g.pad_channels(g.op('Concat', [prob, rgb], axis=1), 1, 4, 64, 4, 'vision_features')
    grid_channels(g, 64, 64, 'vision_pos_enc')
    return g.model(
        [vi('pix_feat', F32, [1, 256, 64, 64]), vi('masks', F32, [1, 1, 1024, 1024])],
        [vi('vision_features', F32, [1, 64, 64, 64]), vi('vision_pos_enc', F32, [1, 64, 64, 64])],
        'Memory features: mask probability pooled to 64x64 (channel 0) and mask x colour (1..3).',
    )


def mlp():
    g = Graph('mlp')
    g.op('Mul', ['x', g.const(np.ones(256))], 'x_out')
    return g.model(
        [vi('x', F32, ['n', 256])],
        [vi('x_out', F32, ['Gemmx_out_dim_0', 256])],
        'Identity on the object pointer (the pointer already carries colour and presence).',
    )


def obj_ptr_tpos_proj():
    g = Graph('obj_ptr_tpos_proj')
    g.slice('x', 1, 0, 64)
    g.nodes[-1].output[0] = 'x_out'
    return g.model(
        [vi('x', F32, ['n', 256])],
        [vi('x_out', F32, ['n', 64])],
        'First 64 channels of the sine time encoding.',
    )


# --- host constants ----------------------------------------------------------------------------
def constants():
    tpos = np.zeros((7, 1, 1, 64), np.float32)
    for j in range(6):  # index 7 - t_pos - 1: j = 0 is the previous frame
        tpos[j, 0, 0, MEM_CH_WEIGHT] = RECENCY**j
    tpos[6, 0, 0, MEM_CH_WEIGHT] = COND_WEIGHT
    tpos[6, 0, 0, MEM_CH_COND] = 1.0
    no_mem_embed = np.zeros((1, 1, 256), np.float32)
    no_mem_embed[0, 0, CH_NO_MEM] = 1.0
    no_mem_pos_enc = np.zeros((1, 1, 256), np.float32)
    no_mem_pos_enc[0, 0, CH_NO_MEM] = 1.0
    no_obj_ptr = np.zeros((1, 256), np.float32)
    no_obj_ptr[0, PTR_CH_ABSENT] = 1.0
    return {
        'maskmemTposEnc': ('v2.1_hiera_t_maskmem_tpos_enc', tpos),
        'noMemEmbed': ('v2.1_hiera_t_no_mem_embed', no_mem_embed),
        'noMemPosEnc': ('v2.1_hiera_t_no_mem_pos_enc', no_mem_pos_enc),
        'noObjPtr': ('v2.1_hiera_t_no_obj_ptr', no_obj_ptr),
    }


def npz_bytes(arrays):
    """An .npz (zip of .npy) with fixed timestamps, so the bytes are reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        for key, arr in arrays:
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arr), version=(1, 0))
            info = zipfile.ZipInfo(key + '.npy', date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, npy.getvalue())
    return buf.getvalue()


MODULES = [
    # role, file, builder, logical inputs -> real, logical outputs -> real, options
    ('imageEncoder', 'image_encoder_hiera_t_2.1.onnx', image_encoder,
     {'image': 'input_image'},
     {'visionFeatures': 'vision_features', 'visionPosEnc0': 'vision_pos_enc_0', 'visionPosEnc1': 'vision_pos_enc_1',
      'visionPosEnc2': 'vision_pos_enc_2', 'backboneFpn0': 'backbone_fpn_0', 'backboneFpn1': 'backbone_fpn_1',
      'backboneFpn2': 'backbone_fpn_2'}, None),
    ('promptEncoder', 'prompt_encoder_with_mask_hiera_t_2.1.onnx', prompt_encoder,
     {'coords': 'coords', 'labels': 'labels', 'masks': 'masks', 'masksEnable': 'masks_enable'},
     {'sparseEmbeddings': 'sparse_embeddings', 'denseEmbeddings': 'dense_embeddings', 'densePe': 'dense_pe'},
     {'maskRank': 4}),
    ('maskDecoder', 'mask_decoder_hiera_t_2.1.onnx', mask_decoder,
     {'imageEmbeddings': 'image_embeddings', 'imagePe': 'image_pe', 'sparseEmbeddings': 'sparse_prompt_embeddings',
      'denseEmbeddings': 'dense_prompt_embeddings', 'highRes1': 'high_res_features1', 'highRes2': 'high_res_features2'},
     {'masks': 'masks', 'iouPred': 'iou_pred', 'tokens': 'sam_tokens_out', 'objectScore': 'object_score_logits'}, None),
    ('memoryAttention', 'memory_attention_6d_hiera_t_2.1.onnx', memory_attention,
     {'curr': 'curr', 'memory1': 'memory_1', 'memory2': 'memory_2', 'currPos': 'curr_pos',
      'memoryPos1': 'memory_pos_1', 'memoryPos2': 'memory_pos_2', 'attentionMask1': 'attention_mask_1',
      'attentionMask2': 'attention_mask_2'},
     {'pixFeat': 'pix_feat'}, None),
    ('memoryEncoder', 'memory_encoder_hiera_t_2.1.onnx', memory_encoder,
     {'pixFeat': 'pix_feat', 'masks': 'masks'}, {'features': 'vision_features', 'posEnc': 'vision_pos_enc'}, None),
    ('mlp', 'mlp_hiera_t_2.1.onnx', mlp, {'x': 'x'}, {'y': 'x_out'}, None),
    ('objPtrTposProj', 'obj_ptr_tpos_proj_hiera_t_2.1.onnx', obj_ptr_tpos_proj, {'x': 'x'}, {'y': 'x_out'}, None),
]


def file_entry(name, data):
    return {'file': name, 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data), 'licence': LICENCE}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    modules = {}
    for role, fname, build, inputs, outputs, options in MODULES:
        data = build().SerializeToString()
        with open(os.path.join(out_dir, fname), 'wb') as f:
            f.write(data)
        entry = file_entry(fname, data)
        entry['inputs'] = inputs
        entry['outputs'] = outputs
        if options:
            entry['options'] = options
        modules[role] = entry
    consts = constants()
    npz = npz_bytes([(key, arr) for key, arr in consts.values()])
    with open(os.path.join(out_dir, 'pretrained_weights.npz'), 'wb') as f:
        f.write(npz)
    manifest = {
        'name': 'test-tiny',
        'title': 'Test pack (generated; SAM2.1 hiera-tiny video contract)',
        'family': 'sam2.1',
        'size': 'test',
        'kind': 'sam2-video',
        'format': 'ailia-sam2-split',
        'inputSize': 1024,
        'licence': LICENCE,
        'description': 'Generated by models/generator/make_test_pack.py: the tensor contract of ailia\'s SAM2.1 '
        'split export with small hand-built modules that segment by colour and track through memory. '
        'For tests only.',
        'modules': modules,
        'constants': dict(file_entry('pretrained_weights.npz', npz), keys={k: v[0] for k, v in consts.items()}),
    }
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        f.write(json.dumps(manifest, indent=2) + '\n')
    total = sum(m['bytes'] for m in modules.values()) + len(npz)
    print(f'wrote {out_dir} ({total} bytes in {len(modules)} modules + constants)')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else OUT_DIR)
