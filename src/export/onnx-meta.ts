// ONNX `metadata_props` keys edge-prune writes on export and reads back on import (input normalization, class names).

/** `metadata_props` key holding the model's input normalization as JSON (restored by the ONNX importer). */
export const ONNX_META_NORMALIZATION = 'edgePrune.normalization';
/** `metadata_props` key holding the model's class names as a JSON array (restored by the ONNX importer). */
export const ONNX_META_CLASSES = 'edgePrune.classes';
