import { Cancelled } from '../prompt/port';

/**
 * Waits for work that cannot itself be stopped (openpgp.js key generation), but stops waiting the
 * moment the signal aborts, so Ctrl-C unwinds the flow at once; the work's late result is dropped.
 */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}
