/**
 * The healing module (`auto-batch-cleanup/healing`): a recorder that writes healing events to
 * the Firestore outbox the auto-batch-cleanup job exports, and resilience policies that record
 * their own heals. The policies stand on cockatiel, a small, dependency-free and well-maintained
 * TypeScript port of .NET's Polly: its retry, fallback, circuit breaker and timeout policies
 * emit exactly the events (retry, reset, break) the heals are made of, and take injectable
 * backoff generators so tests stay deterministic.
 */
export { createHealingRecorder, type HealingRecorderOptions } from './createHealingRecorder.js';
export type { HealingRecorder, RecorderCloseResult } from './HealingRecorder.js';
export { createMemoryRecorder, type MemoryRecorder } from './memoryRecorder.js';
export { healingRetry, type HealingRetry, type HealingRetryOptions } from './healingRetry.js';
export { healingFallback, type HealingFallback, type HealingFallbackOptions } from './healingFallback.js';
export { healingCircuitBreaker, type HealingCircuitBreaker, type HealingCircuitBreakerOptions } from './healingCircuitBreaker.js';
export { healingWatchdog, type HealingWatchdog, type HealingWatchdogOptions } from './healingWatchdog.js';
export { errorCategory } from './errorCategory.js';
export { BrokenCircuitError, CircuitState, isBrokenCircuitError } from 'cockatiel';
export type { HealingEvent, HealingEventInput, JsonObject, JsonValue } from '../healingEvent.js';
export type { Logger, LogFields } from '../logger.js';
