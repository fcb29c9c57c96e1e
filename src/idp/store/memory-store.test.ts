/**
 * @module idp/store/memory-store.test
 * The memory store against the store contract.
 */
import { storeConformance } from './conformance.ts';
import { MemoryStore } from './memory-store.ts';

storeConformance('MemoryStore', async () => new MemoryStore());
