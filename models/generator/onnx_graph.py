"""A tiny deterministic ONNX graph builder (opset 17) and shared graph pieces."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
F32, I32, BOOL = TensorProto.FLOAT, TensorProto.INT32, TensorProto.BOOL


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
    def slice(self, x, axis, start, end, out=None):
        return self.op('Slice', [x, self.i64([start]), self.i64([end]), self.i64([axis])], out)

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
