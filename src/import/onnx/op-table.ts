// OP_CONVERTERS: the one table of ONNX operators the importer reads, keyed by ONNX op type.
import { fail } from '../../core/errors.ts';
import { CONSTANT_OPS } from './const-eval.ts';
import {
  convertActivation, convertClip, convertHardSigmoid, convertHardSwish, convertLeakyRelu, convertPrelu, convertRelu, convertSoftmax,
} from './convert-activation.ts';
import { convertResize, convertSlice, convertSplit } from './convert-dense.ts';
import { convertAdd, convertConcat, convertDiv, convertMul } from './convert-merge.ts';
import { convertFlatten, convertGlobalPool, convertPad, convertPassThrough, convertPool, convertReduce, convertReshape } from './convert-shape.ts';
import { convertBatchNorm, convertConv, convertGemm, convertMatMul } from './convert-weighted.ts';
import { describeNode, type ImportContext, type OnnxNode, type OpConverter } from './import-context.ts';

/**
 * Every ONNX operator computed on tensors that the importer turns into Keras layers. Patterns (bias
 * Add after Conv/MatMul, SiLU as Mul(x, Sigmoid(x)), HardSwish as x·Clip(x+3, 0, 6)/6 or
 * x·HardSigmoid(x), SE scaling) are recognized by the converters of their last node.
 */
export const OP_CONVERTERS: Readonly<Record<string, OpConverter>> = {
  Conv: (ctx, node) => convertConv(ctx, node),
  Gemm: convertGemm,
  MatMul: (ctx, node) => convertMatMul(ctx, node),
  BatchNormalization: convertBatchNorm,
  Relu: convertRelu,
  Clip: convertClip,
  LeakyRelu: convertLeakyRelu,
  PRelu: convertPrelu,
  Sigmoid: convertActivation,
  Tanh: convertActivation,
  HardSigmoid: convertHardSigmoid,
  HardSwish: convertHardSwish,
  Softmax: convertSoftmax,
  Add: convertAdd,
  Mul: convertMul,
  Div: convertDiv,
  Concat: convertConcat,
  MaxPool: convertPool,
  AveragePool: convertPool,
  GlobalAveragePool: convertGlobalPool,
  GlobalMaxPool: convertGlobalPool,
  ReduceMean: convertReduce,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Pad: convertPad,
  Dropout: convertPassThrough,
  Identity: convertPassThrough,
  Cast: convertPassThrough,
  Split: convertSplit,
  Slice: convertSlice,
  Resize: convertResize,
  Upsample: convertResize,
};

/** Every supported op type (computed and constant-folded), sorted, for messages. */
export function listSupportedOps(): string[] {
  return [...new Set([...Object.keys(OP_CONVERTERS), ...CONSTANT_OPS])].sort();
}

/** The converter of a node's op type, or UNSUPPORTED_OP naming the node, its op type and the opset. */
export function requireConverter(ctx: ImportContext, node: OnnxNode): OpConverter {
  const op = node.opType ?? '';
  const domain = node.domain ?? '';
  const converter = (domain === '' || domain === 'ai.onnx') && Object.prototype.hasOwnProperty.call(OP_CONVERTERS, op) ? OP_CONVERTERS[op] : undefined;
  if (!converter) {
    fail('UNSUPPORTED_OP', {
      expected: `one of the supported ONNX operators (${listSupportedOps().join(', ')})`,
      found: `op type "${domain ? `${domain}.` : ''}${op}"`,
      where: describeNode(node, ctx.opset),
      hint: 'edge-prune imports CNN classifiers; replace the operator or cut the model before it (e.g. export the backbone only)',
    });
  }
  return converter;
}
