"""The mask decoder of the test pack: colour segmentation around the prompts at 256x256, or
from the memory channels on tracked frames. See README.md."""

from onnx_graph import Graph, vi, F32
from layout import (
    CH_NO_MEM, CH_MEM_VALID, CH_OBJ_RGB, CH_PRIOR, COLOUR_RADIUS, COLOUR_GAIN, SPATIAL_GAIN,
    NEG_SHARPNESS, PRIOR_GAIN, SAMPLE_SIGMA0, SAMPLE_SIGMA1, SAMPLE_COLOUR_SCALE, GROW_STEPS,
    GROW_OUTSIDE, MIN_PIXELS, LOGIT_CLAMP,
)


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
