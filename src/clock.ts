/**
 * Where recorded times and durations come from: one clock, passed down (the
 * scheduler's Runtime, the state stores), so a test or an embedder can fix it.
 * Times of day are wall-clock; durations are monotonic, so a clock step
 * (NTP, a suspended laptop) cannot make one negative.
 */
export interface Clock {
  /** The time of day, for recorded timestamps. */
  now(): Date;
  /** Start measuring: the returned function gives the whole milliseconds elapsed since this call. */
  mark(): () => number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  mark() {
    const start = performance.now();
    return () => Math.round(performance.now() - start);
  },
};
