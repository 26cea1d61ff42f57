#!/usr/bin/env node
// Launcher: registers the TypeScript loader (tsx) and starts the CLI from source.
import { register } from 'tsx/esm/api';

// Keep TensorFlow's C++ start-up chatter (oneDNN notices) off the terminal unless asked for.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
register();
await import('../src/cli/main.ts');
