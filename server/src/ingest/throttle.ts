/**
 * Calls `fn` at most every 250 ms, plus always for the final value (`done === total`): upload
 * and download progress arrive per network chunk, far more often than anyone can watch.
 */
export function throttled(fn: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 250 && done !== total) return;
    last = now;
    fn(done, total);
  };
}
