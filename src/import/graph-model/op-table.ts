// GRAPH_OPS: the one table of GraphDef ops the graph-model importer maps, and the ops it refuses with a reason.
import { unsupported } from './attrs.ts';
import { convertActivation, convertPrelu, convertSoftmax } from './convert-activation.ts';
import { convertAddN, convertBiasAdd, convertBinary, convertFusedBatchNorm } from './convert-affine.ts';
import type { ConvertContext, GraphValue } from './convert-context.ts';
import { convertConv2d, convertDepthwise, convertMatMul } from './convert-conv.ts';
import { convertResize, convertSlice, convertSplit, convertSplitV, convertStridedSlice } from './convert-dense.ts';
import { convertConcat, convertIdentity, convertPad, convertPool, convertReduce, convertReshape, convertSqueeze } from './convert-shape.ts';

/** Converts one node to a value. */
export type OpConverter = (ctx: ConvertContext) => GraphValue;

/** Every op the importer maps (Const and Placeholder are handled by the importer itself). */
export const GRAPH_OPS: Readonly<Record<string, OpConverter>> = {
  Conv2D: convertConv2d,
  _FusedConv2D: convertConv2d,
  DepthwiseConv2dNative: convertDepthwise,
  FusedDepthwiseConv2dNative: convertDepthwise,
  MatMul: convertMatMul,
  _FusedMatMul: convertMatMul,
  BiasAdd: convertBiasAdd,
  FusedBatchNorm: convertFusedBatchNorm,
  FusedBatchNormV2: convertFusedBatchNorm,
  FusedBatchNormV3: convertFusedBatchNorm,
  Relu: convertActivation,
  Relu6: convertActivation,
  Elu: convertActivation,
  Sigmoid: convertActivation,
  Tanh: convertActivation,
  LeakyRelu: convertActivation,
  Prelu: convertPrelu,
  Softmax: convertSoftmax,
  Add: convertBinary,
  AddV2: convertBinary,
  Sub: convertBinary,
  Mul: convertBinary,
  RealDiv: convertBinary,
  Maximum: convertBinary,
  Minimum: convertBinary,
  AddN: convertAddN,
  Mean: convertReduce,
  Max: convertReduce,
  ConcatV2: convertConcat,
  MaxPool: convertPool,
  AvgPool: convertPool,
  Pad: convertPad,
  PadV2: convertPad,
  MirrorPad: convertPad,
  Reshape: convertReshape,
  Squeeze: convertSqueeze,
  Split: convertSplit,
  SplitV: convertSplitV,
  Slice: convertSlice,
  StridedSlice: convertStridedSlice,
  ResizeNearestNeighbor: convertResize,
  ResizeBilinear: convertResize,
  Identity: convertIdentity,
  StopGradient: convertIdentity,
  Snapshot: convertIdentity,
};

/** Families of ops refused on purpose, with what to do instead. */
const REFUSED: { test: RegExp; what: string; hint: string }[] = [
  { test: /^(NonMaxSuppression|TopK|GatherNd|Where$|CropAndResize|Unique)/, what: 'a post-processing op', hint: 'import the backbone and heads only: --outputs <node,...> naming the tensors before post-processing' },
  { test: /^(Switch|Merge|Enter|Exit|NextIteration|LoopCond|While|StatelessWhile|If|StatelessIf|TensorList|TensorArray)/, what: 'a control-flow op', hint: 'import the sub-graph before the loop or condition: --outputs <node,...>' },
  { test: /^(Shape|Pack|Unpack|Fill|Range|Cast)$/, what: 'a dynamic-shape op', hint: 'convert the model with a fixed input size, or import a sub-graph without it (--outputs <node,...>)' },
];

/** The converter of an op, or UNSUPPORTED_OP naming the node, its op and the supported ops. */
export function requireOp(ctx: ConvertContext): OpConverter {
  const { op } = ctx.node;
  const converter = Object.prototype.hasOwnProperty.call(GRAPH_OPS, op) ? GRAPH_OPS[op] : undefined;
  if (converter) return converter;
  const refused = REFUSED.find((r) => r.test.test(op));
  if (refused) return unsupported(ctx.node, 'an op of a CNN backbone or head', `${refused.what} (${op})`, refused.hint);
  return unsupported(ctx.node, `one of the ops edge-prune maps (${Object.keys(GRAPH_OPS).join(', ')})`, `op "${op}"`);
}
