// The Lockstep JavaScript client library: plain ES modules, no dependencies, no build step.
// docs/JAVASCRIPT.md describes it; docs/PROTOCOL.md is the wire contract it speaks.

export * from './protocol.js';
export * from './schedule.js';
export * from './clock.js';
export * from './input-delay.js';
export * from './reconnect.js';
export * from './prediction.js';
export * from './sync-test.js';
export * from './core.js';
export * from './emitter.js';
export * from './client.js';
export * from './interpolation.js';
export * from './admin.js';
export * from './hash.js';
