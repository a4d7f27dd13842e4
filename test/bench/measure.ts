/** The benches' one way of timing: the median of `runs` runs in milliseconds, after a warm-up run. */
export async function median(fn: () => Promise<unknown> | unknown, runs: number): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
