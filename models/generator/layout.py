"""Channel layout and tuning shared by the test-pack modules: which channel carries what
between modules (the contract between them), and the segmentation constants."""

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
