"""The image encoder, prompt encoder, memory attention, memory encoder, mlp and pointer time
projection of the test pack. See README.md."""

import numpy as np

from onnx_graph import Graph, vi, grid_channels, F32, I32, BOOL
from layout import (
    CH_NO_MEM, CH_PRIOR, MEM_CH_MASK, MEM_CH_WEIGHT, MEM_CH_COND, PTR_CH_RGB, PTR_CH_PRESENT,
    PT_LABELS,
)


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
    g.slice('x', 1, 0, 64, 'x_out')
    return g.model(
        [vi('x', F32, ['n', 256])],
        [vi('x_out', F32, ['n', 64])],
        'First 64 channels of the sine time encoding.',
    )
