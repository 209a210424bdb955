export { ModuleDict, ModuleList } from './containers.js';
export { Dropout } from './dropout.js';
export { Embedding } from './embedding.js';
export { LayerNorm } from './layernorm.js';
export { Linear, type LinearHook } from './linear.js';
export { Module } from './module.js';
