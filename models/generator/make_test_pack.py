#!/usr/bin/python3
"""Generates models/test-tiny: a small ONNX pack with the exact tensor contract of ailia's SAM2.1
hiera-tiny video export (7 modules + host constants) whose modules really segment and track.

Run with Debian's python (numpy 1.24, onnx 1.12):  /usr/bin/python3 models/generator/make_test_pack.py
Deterministic: two runs write byte-identical files. See README.md next to this file for what each
module computes. layout.py holds the channel layout (the contract between the modules) and the
tuning; onnx_graph.py the graph builder; modules.py and decoder.py the seven modules.
"""

import hashlib
import io
import json
import os
import sys
import zipfile

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the repository when importing the siblings below

from decoder import mask_decoder  # noqa: E402
from layout import CH_NO_MEM, COND_WEIGHT, MEM_CH_COND, MEM_CH_WEIGHT, PTR_CH_ABSENT, RECENCY  # noqa: E402
from modules import (  # noqa: E402
    image_encoder, memory_attention, memory_encoder, mlp, obj_ptr_tpos_proj, prompt_encoder,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, '..', 'test-tiny'))
LICENCE = 'Apache-2.0'


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
