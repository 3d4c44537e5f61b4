/**
 * Loads the TUI front end. yoga-layout (Ink's layout engine) decodes its embedded wasm through
 * `fetch` when `fetch` exists, which makes Node load its whole HTTP client (~25 ms) before the first
 * frame; without `fetch` it takes its synchronous base64 path. So `fetch` is hidden for this one
 * import and put back exactly as it was (still Node's lazy getter).
 */
export async function loadInkPrompter(): Promise<typeof import('./ink-prompter')> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await import('./ink-prompter');
  } finally {
    if (descriptor) Object.defineProperty(globalThis, 'fetch', descriptor);
    else delete (globalThis as { fetch?: unknown }).fetch;
  }
}
