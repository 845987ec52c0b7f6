/**
 * The module a fuzz worker thread imports to load the project file (poolLoader.ts). Under vitest
 * this file is TypeScript; workers always import the compiled one, as the pool's own worker does.
 */
export const POOL_LOADER_URL = (import.meta.url.endsWith('.ts') ? new URL('../../dist/config/poolLoader.js', import.meta.url) : new URL('./poolLoader.js', import.meta.url)).href;
